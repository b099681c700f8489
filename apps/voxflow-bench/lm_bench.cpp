#include "lm_bench.hpp"

#include <voxflow/core/backend.hpp>
#include <voxflow/core/fit_status.hpp>
#include <voxflow/fit/exponential_models.hpp>
#include <voxflow/fit/fit_voxels.hpp>

#include <algorithm>
#include <random>
#include <vector>

namespace voxflow::bench {

namespace {

struct Truth {
  double a, k, c;
};

// Noisy curves A exp(-k t) + c on t in [0, 5), truth drawn uniformly; deterministic for a given seed.
void synthesise(BenchOptions const& o, bool offset, std::vector<double>& t,
                Kokkos::View<double**, Kokkos::HostSpace> y) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> ua(0.5, 2.0), uk(0.2, 2.0), uc(0.0, 0.5);
  std::normal_distribution<double> gauss(0.0, 1.0);
  t.resize(o.frames);
  for (int j = 0; j < o.frames; ++j) t[j] = 5.0 * j / o.frames;
  for (int v = 0; v < o.voxels; ++v) {
    Truth const truth{ua(rng), uk(rng), offset ? uc(rng) : 0.0};
    double const peak = truth.a + truth.c;
    for (int j = 0; j < o.frames; ++j)
      y(v, j) = truth.a * std::exp(-truth.k * t[j]) + truth.c + o.noise * peak * gauss(rng);
  }
}

template <class ExecutionSpace, class Model>
int time_fits(ExecutionSpace const& space, BenchOptions const& o, Model model,
              Kokkos::View<double**, Kokkos::HostSpace> host_data) {
  using Mem = typename ExecutionSpace::memory_space;
  auto const data = upload_series<Mem>(host_data, "voxflow::bench::lm::data");
  fit::FitOutputs<Mem> out(space, "voxflow::bench::lm", o.voxels, Model::n_params);
  Kokkos::View<std::uint8_t const*, Mem> no_mask;
  fit::LMOptions const lm;
  std::vector<double> seconds;
  for (int r = 0; r <= o.repeats; ++r) {  // the first run warms caches and the device up and is not counted
    Kokkos::fence();
    Kokkos::Timer timer;
    fit::fit_voxels(space, model, data, no_mask, lm, out);
    space.fence();
    if (r > 0) seconds.push_back(timer.seconds());
  }
  auto const status = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.status);
  auto const iterations = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.iterations);
  BenchResult const result = summarize(seconds, status, iterations);
  print_result("lm", o, ExecutionSpace::name(), concurrency_of(space), result);
  return 0;
}

}  // namespace

int run_lm_bench(BenchOptions const& o) {
  bool const offset = o.model == "exp_offset";
  if (!offset && o.model != "mono_exp")
    throw Error(ExitCode::usage, "unknown model '" + o.model + "' (exp_offset or mono_exp)");
  Kokkos::View<double**, Kokkos::HostSpace> host_data("voxflow::bench::lm::data", o.voxels, o.frames);
  std::vector<double> t;
  synthesise(o, offset, t, host_data);
  int rc = 0;
  dispatch(bench_backend(o), [&](auto space) {
    using Mem = typename decltype(space)::memory_space;
    Kokkos::View<double*, Mem> times("voxflow::bench::lm::t", o.frames);
    auto times_host = Kokkos::create_mirror_view(times);
    for (int j = 0; j < o.frames; ++j) times_host(j) = t[j];
    Kokkos::deep_copy(times, times_host);
    if (offset)
      rc = time_fits(space, o, fit::ExponentialWithOffset<Mem>{times}, host_data);
    else
      rc = time_fits(space, o, fit::MonoExponential<Mem>{times}, host_data);
  });
  return rc;
}

}  // namespace voxflow::bench
