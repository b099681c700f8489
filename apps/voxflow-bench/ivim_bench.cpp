#include "ivim_bench.hpp"

#include <voxflow/core/backend.hpp>
#include <voxflow/ivim/fit_ivim.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace voxflow::bench {

namespace {

// `count` b-values: the 11 of a typical abdominal protocol, or log-spaced up to 800 s/mm² for other counts.
std::vector<double> protocol(int count) {
  std::vector<double> const standard{0, 10, 20, 30, 50, 80, 100, 200, 400, 600, 800};
  if (count == static_cast<int>(standard.size())) return standard;
  std::vector<double> b{0.0};
  for (int j = 1; j < count; ++j) b.push_back(std::round(10.0 * std::pow(80.0, (j - 1.0) / (count - 2.0))));
  return b;
}

template <class ExecutionSpace>
void run_on(ExecutionSpace const& space, BenchOptions const& o, ivim::IvimMethod method) {
  using Mem = typename ExecutionSpace::memory_space;
  auto const b = protocol(o.frames);
  ivim::IvimFitOptions options;
  options.method = method;
  auto const protocol_dev = ivim::make_ivim_protocol<Mem>(space, b, options, "voxflow-bench ivim");
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  Series<Mem> data("voxflow::bench::ivim::data", o.voxels, b.size());
  auto host = Kokkos::create_mirror_view(data);
  for (int v = 0; v < o.voxels; ++v) {
    double const p[ivim::ivim_parameter_count] = {1000.0, 0.0005 + 0.0025 * u(rng), 0.01 + 0.09 * u(rng),
                                                  0.05 + 0.35 * u(rng)};
    for (std::size_t j = 0; j < b.size(); ++j) {
      double grad[ivim::ivim_parameter_count];
      host(v, j) = ivim::ivim_signal(b[j], p, grad) + o.noise * 1000.0 * gauss(rng);
    }
  }
  Kokkos::deep_copy(data, host);
  Maps<Mem> values("voxflow::bench::ivim::values", o.voxels, ivim::ivim_column_count(method));
  Maps<Mem> noise("voxflow::bench::ivim::noise", o.voxels, 1);
  StatusMap<Mem> status("voxflow::bench::ivim::status", o.voxels);
  std::vector<double> seconds;
  for (int r = 0; r <= o.repeats; ++r) {  // the first run warms caches and the device up and is not counted
    space.fence();
    Kokkos::Timer timer;
    double sigma = std::numeric_limits<double>::quiet_NaN();
    if (method == ivim::IvimMethod::bayesian) {  // the subject-wide noise pass, as a run does it
      ivim::estimate_ivim_noise(space, data, protocol_dev, options, noise);
      auto const noise_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), noise);
      sigma = ivim::median_noise_sd(std::vector<double>(noise_host.data(), noise_host.data() + o.voxels));
    }
    ivim::fit_ivim(space, data, protocol_dev, options, sigma, values, status);
    space.fence();
    if (r > 0) seconds.push_back(timer.seconds());
  }
  auto const status_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), status);
  // IVIM fits run several LM stages per voxel and report no single iteration count.
  Kokkos::View<std::uint16_t*, Kokkos::HostSpace> no_iterations("voxflow::bench::ivim::iterations", o.voxels);
  BenchResult result = summarize(seconds, status_host, no_iterations);
  result.mean_iterations = std::numeric_limits<double>::quiet_NaN();
  BenchOptions shown = o;
  shown.model = ivim::ivim_method_name(method);
  print_result("ivim", shown, ExecutionSpace::name(), concurrency_of(space), result);
}

}  // namespace

int run_ivim_bench(BenchOptions const& o) {
  auto const methods = bench_methods(ivim::ivim_method_names, o, "IVIM method");
  dispatch(bench_backend(o), [&](auto space) {
    for (auto m : methods) run_on(space, o, m);
  });
  return 0;
}

}  // namespace voxflow::bench
