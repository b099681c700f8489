#include "t1_bench.hpp"

#include <voxflow/core/backend.hpp>
#include <voxflow/core/units.hpp>
#include <voxflow/t1/look_locker_mapping.hpp>
#include <voxflow/t1/vfa_mapping.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace voxflow::bench {

namespace {

enum class T1Case { nonlinear, nonlinear_b1, linear, two_point, look_locker };

inline constexpr EnumTable<T1Case, 5> t1_case_names{{{T1Case::nonlinear, "nonlinear"},
                                                     {T1Case::nonlinear_b1, "nonlinear_b1"},
                                                     {T1Case::linear, "linear"},
                                                     {T1Case::two_point, "two_point"},
                                                     {T1Case::look_locker, "look_locker"}}};

// `count` values evenly spaced from `first` to `last`.
std::vector<double> spaced(int count, double first, double last) {
  std::vector<double> v(count);
  for (int j = 0; j < count; ++j) v[j] = first + (last - first) * j / (count - 1.0);
  return v;
}

// Adds Gaussian noise of o.noise times each voxel's largest sample.
template <class HostSeries>
void add_noise(HostSeries& host, BenchOptions const& o, std::mt19937_64& rng) {
  std::normal_distribution<double> gauss(0.0, 1.0);
  for (std::size_t v = 0; v < host.extent(0); ++v) {
    double peak = 0.0;
    for (std::size_t j = 0; j < host.extent(1); ++j) peak = std::max(peak, std::fabs(host(v, j)));
    for (std::size_t j = 0; j < host.extent(1); ++j) host(v, j) += o.noise * peak * gauss(rng);
  }
}

// Times `fit` over the repeats (the first run warms caches up and is not counted) and prints the result line.
template <class ExecutionSpace, class Fit, class Outputs>
void time_and_print(ExecutionSpace const& space, BenchOptions const& o, Fit const& fit, Outputs const& out) {
  std::vector<double> seconds;
  for (int r = 0; r <= o.repeats; ++r) {
    space.fence();
    Kokkos::Timer timer;
    fit();
    space.fence();
    if (r > 0) seconds.push_back(timer.seconds());
  }
  auto const status = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.status);
  auto const iterations = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.iterations);
  print_result("t1", o, ExecutionSpace::name(), concurrency_of(space),
               summarize(seconds, status, iterations));
}

template <class ExecutionSpace>
void run_vfa(ExecutionSpace const& space, BenchOptions const& o, T1Case c) {
  using Mem = typename ExecutionSpace::memory_space;
  double const tr = 0.005;
  auto const angles = spaced(o.frames, 2.0, 20.0);
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Series<Mem> data("voxflow::bench::t1::data", o.voxels, o.frames);
  Kokkos::View<double*, Mem> b1("voxflow::bench::t1::b1", c == T1Case::nonlinear_b1 ? o.voxels : 0);
  auto host = Kokkos::create_mirror_view(data);
  auto b1_host = Kokkos::create_mirror_view(b1);
  for (int v = 0; v < o.voxels; ++v) {
    double const r1 = 1.0 / (0.3 + 2.7 * u(rng));
    double const scale = c == T1Case::nonlinear_b1 ? 0.8 + 0.4 * u(rng) : 1.0;
    if (b1.extent(0) > 0) b1_host(v) = scale;
    double const e1 = std::exp(-tr * r1);
    for (int j = 0; j < o.frames; ++j) {
      double const a = scale * angles[j] * units::degrees_to_radians;
      host(v, j) = 1000.0 * std::sin(a) * (1.0 - e1) / (1.0 - std::cos(a) * e1);
    }
  }
  add_noise(host, o, rng);
  Kokkos::deep_copy(data, host);
  Kokkos::deep_copy(b1, b1_host);
  auto const angles_dev = to_device<Mem>(space, angles, "voxflow::bench::t1::angles");
  t1::T1Method const method = c == T1Case::linear      ? t1::T1Method::linear
                              : c == T1Case::two_point ? t1::T1Method::two_point
                                                       : t1::T1Method::nonlinear;
  t1::T1Outputs<Mem> out(space, "voxflow::bench::t1", o.voxels);
  t1::T1Options options;
  options.lm.lane_packs = !o.no_lanes;
  time_and_print(
      space, o,
      [&]() {
        t1::map_t1_vfa(space, data, angles_dev, tr, b1, Kokkos::View<std::uint8_t const*, Mem>(), method, out,
                       options);
      },
      out);
}

template <class ExecutionSpace>
void run_look_locker(ExecutionSpace const& space, BenchOptions const& o) {
  using Mem = typename ExecutionSpace::memory_space;
  auto const ti = spaced(o.frames, 0.1, 3.0);
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Series<Mem> data("voxflow::bench::t1::data", o.voxels, o.frames);
  auto host = Kokkos::create_mirror_view(data);
  for (int v = 0; v < o.voxels; ++v) {
    double const rate = 1.0 / (0.3 + 1.7 * u(rng));
    for (int j = 0; j < o.frames; ++j) host(v, j) = 1000.0 - 1900.0 * std::exp(-rate * ti[j]);
  }
  add_noise(host, o, rng);
  Kokkos::deep_copy(data, host);
  auto const ti_dev = to_device<Mem>(space, ti, "voxflow::bench::t1::ti");
  t1::LookLockerOutputs<Mem> out(space, "voxflow::bench::t1", o.voxels);
  time_and_print(
      space, o,
      [&]() { t1::map_t1_look_locker(space, data, ti_dev, Kokkos::View<std::uint8_t const*, Mem>(), out); },
      out);
}

}  // namespace

int run_t1_bench(BenchOptions const& o) {
  if (o.frames < 3) throw Error(ExitCode::usage, "voxflow-bench t1 needs --frames >= 3");
  auto const cases = bench_methods(t1_case_names, o, "T1 case");
  dispatch(bench_backend(o), [&](auto space) {
    for (auto c : cases) {
      BenchOptions shown = o;
      shown.model = enum_name(t1_case_names, c);
      if (c == T1Case::look_locker)
        run_look_locker(space, shown);
      else
        run_vfa(space, shown, c);
    }
  });
  return 0;
}

}  // namespace voxflow::bench
