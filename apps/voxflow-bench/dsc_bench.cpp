#include "dsc_bench.hpp"

#include <voxflow/core/backend.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/dsc/deconvolve.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

namespace voxflow::bench {

namespace {

constexpr double frame_s = 1.5;
constexpr std::int64_t chunk_voxels = 16384;

// CPU seconds of the process (every thread): on a shared, oversubscribed machine the wall clock measures the
// other processes too, the CPU time mostly this one.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double gamma_aif(double t) {
  double const x = t - 10.0, alpha = 3.0, beta = 1.5;
  return x <= 0.0 ? 0.0 : 100.0 * std::pow(x / (alpha * beta), alpha) * std::exp(alpha - x / beta);
}

template <class ExecutionSpace>
void run_on(ExecutionSpace const& space, BenchOptions o, dsc::DeconvolutionMethod method) {
  using Mem = typename ExecutionSpace::memory_space;
  int const frames = o.frames;
  std::vector<double> times(static_cast<std::size_t>(frames)), aif(times.size());
  for (int j = 0; j < frames; ++j) {
    times[static_cast<std::size_t>(j)] = j * frame_s;
    aif[static_cast<std::size_t>(j)] = gamma_aif(j * frame_s);
  }
  // 256 distinct tissue curves (rectangle-rule convolution on the frame grid), tiled with fresh noise.
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::vector<double>> shapes(256, std::vector<double>(times.size(), 0.0));
  for (auto& c : shapes) {
    double const cbf = 10.0 + 70.0 * u(rng), cbv = 1.0 + 5.0 * u(rng), mtt = 60.0 * cbv / cbf;
    for (int i = 0; i < frames; ++i)
      for (int k = 0; k <= i; ++k)
        c[static_cast<std::size_t>(i)] +=
            frame_s * cbf / 6000.0 * aif[static_cast<std::size_t>(k)] * std::exp(-(i - k) * frame_s / mtt);
  }
  std::normal_distribution<double> gauss(0.0, 1.0);
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> host("voxflow::bench::dsc::curves", o.voxels,
                                                                      frames);
  for (int v = 0; v < o.voxels; ++v) {
    auto const& c = shapes[static_cast<std::size_t>(v) % shapes.size()];
    double const peak = *std::max_element(c.begin(), c.end());
    for (int j = 0; j < frames; ++j)
      host(v, j) = c[static_cast<std::size_t>(j)] + o.noise * peak * gauss(rng);
  }
  auto const curves = upload_series<Mem>(host, "voxflow::bench::dsc::curves");
  auto const times_dev = to_device<Mem>(space, times, "voxflow::bench::dsc::times");
  Maps<Mem> maps("voxflow::bench::dsc::maps", o.voxels, dsc::dsc_map_count);
  StatusMap<Mem> status("voxflow::bench::dsc::status", o.voxels);
  dsc::DeconvolutionOptions options;
  options.method = method;
  options.threshold = dsc::default_threshold(method);
  dsc::PerfusionScaling scaling;
  scaling.aif_integral = dsc::trapezoid_integral(times, aif);
  std::vector<double> seconds, cpu;
  for (int r = 0; r <= o.repeats; ++r) {  // the first run warms caches and the device up and is not counted
    space.fence();
    double const cpu_start = cpu_seconds();
    Kokkos::Timer timer;
    // What a subject run does: the operator once, then every voxel chunk by chunk.
    auto const op =
        dsc::upload_operator<Mem>(space, dsc::build_deconvolution_operator(aif, frame_s, options, "bench"));
    Series<Mem> chunk("voxflow::bench::dsc::chunk", std::min<std::int64_t>(chunk_voxels, o.voxels), frames);
    for (std::int64_t begin = 0; begin < o.voxels; begin += chunk_voxels) {
      std::int64_t const end = std::min<std::int64_t>(o.voxels, begin + chunk_voxels);
      auto const rows = std::make_pair(begin, end);
      if (end - begin != static_cast<std::int64_t>(chunk.extent(0)))
        chunk = Series<Mem>("voxflow::bench::dsc::chunk", end - begin, frames);
      Kokkos::deep_copy(space, chunk, Kokkos::subview(curves, rows, Kokkos::ALL));
      dsc::deconvolve_voxels(space, chunk, times_dev, op, scaling, Kokkos::subview(maps, rows, Kokkos::ALL),
                             Kokkos::subview(status, rows));
    }
    space.fence();
    if (r > 0) {
      seconds.push_back(timer.seconds());
      cpu.push_back(cpu_seconds() - cpu_start);
    }
  }
  auto const status_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), status);
  Kokkos::View<std::uint16_t*, Kokkos::HostSpace> no_iterations("voxflow::bench::dsc::iterations", o.voxels);
  o.model = dsc::deconvolution_method_name(method);
  print_result("dsc", o, ExecutionSpace::name(), concurrency_of(space),
               summarize(seconds, status_host, no_iterations));
  std::sort(cpu.begin(), cpu.end());
  std::printf(
      "dsc-cpu model=%s threads=%d voxels=%d min_cpu_s=%.5f median_cpu_s=%.5f max_cpu_s=%.5f "
      "voxels_per_cpu_s=%.4g\n",
      o.model.c_str(), concurrency_of(space), o.voxels, cpu.front(), cpu[cpu.size() / 2], cpu.back(),
      o.voxels / cpu.front());
  std::fflush(stdout);
}

}  // namespace

int run_dsc_bench(BenchOptions const& o) {
  auto const methods = bench_methods(dsc::deconvolution_method_names, o, "DSC method");
  dispatch(bench_backend(o), [&](auto space) {
    for (auto m : methods) run_on(space, o, m);
  });
  return 0;
}

}  // namespace voxflow::bench
