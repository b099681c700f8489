#include "dce_bench.hpp"

#include <voxflow/aif/aif_curve.hpp>
#include <voxflow/core/backend.hpp>
#include <voxflow/core/fit_status.hpp>
#include <voxflow/dce/fit_dce.hpp>
#include <voxflow/dce/predict_dce.hpp>

#include <algorithm>
#include <random>
#include <vector>

namespace voxflow::bench {

namespace {

// Parameters (internal units) drawn uniformly over typical tissue ranges; Ktrans, ve and vp as PERF-LIMIT.md
// §2.
std::vector<double> draw(dce::DceModel model, bool delay, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto range = [&](double lo, double hi) { return lo + (hi - lo) * u(rng); };
  std::vector<double> p;
  switch (model) {
    case dce::DceModel::tofts:
      p = {range(0.05, 0.6), range(0.1, 0.6)};
      break;
    case dce::DceModel::extended_tofts:
      p = {range(0.05, 0.6), range(0.1, 0.6), range(0.005, 0.1)};
      break;
    case dce::DceModel::patlak:
      p = {range(0.01, 0.2), range(0.005, 0.1)};
      break;
    case dce::DceModel::two_compartment_exchange:
      p = {range(0.1, 0.6), range(0.05, 0.25), range(0.1, 0.4), range(0.02, 0.12)};
      break;
    case dce::DceModel::two_compartment_uptake:
      p = {range(0.1, 0.6), range(0.01, 0.1), range(0.02, 0.12)};
      break;
  }
  if (delay) p.push_back(range(0.0, 8.0));
  return p;
}

template <class ExecutionSpace>
void run_on(ExecutionSpace const& space, BenchOptions const& o, dce::DceFitOptions const& fit) {
  using Mem = typename ExecutionSpace::memory_space;
  std::vector<double> t(o.frames);
  for (int j = 0; j < o.frames; ++j) t[j] = 4.0 * j;
  // The AIF: Parker as plasma on the frame grid, computed by the library on the host.
  Kokkos::View<double*, Kokkos::HostSpace> t_host("voxflow::bench::dce::t", o.frames),
      aif("voxflow::bench::dce::aif", o.frames);
  for (int j = 0; j < o.frames; ++j) t_host(j) = t[j];
  aif::population_aif(Kokkos::DefaultHostExecutionSpace(), aif::PopulationAif::parker,
                      Kokkos::View<double const*, Kokkos::HostSpace>(t_host), aif::AifOptions{}, aif);
  Kokkos::fence();
  std::vector<double> ca(aif.data(), aif.data() + o.frames);
  auto const inputs = dce::make_dce_inputs<Mem>(t, t, ca, "voxflow-bench dce");

  std::mt19937_64 rng(o.seed);
  auto const n_params = static_cast<int>(dce::dce_parameter_names(fit.model, fit.fit_delay).size());
  Maps<Mem> truth("voxflow::bench::dce::truth", o.voxels, n_params);
  auto truth_host = Kokkos::create_mirror_view(truth);
  for (int v = 0; v < o.voxels; ++v) {
    auto const p = draw(fit.model, fit.fit_delay, rng);
    for (int i = 0; i < n_params; ++i) truth_host(v, i) = p[i];
  }
  Kokkos::deep_copy(truth, truth_host);
  Series<Mem> conc("voxflow::bench::dce::conc", o.voxels, o.frames);
  dce::predict_dce(space, inputs, fit, truth, conc);
  auto conc_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), conc);
  std::normal_distribution<double> gauss(0.0, 1.0);
  for (int v = 0; v < o.voxels; ++v) {
    double peak = 0.0;
    for (int j = 0; j < o.frames; ++j) peak = std::max(peak, conc_host(v, j));
    for (int j = 0; j < o.frames; ++j) conc_host(v, j) += o.noise * peak * gauss(rng);
  }
  Kokkos::deep_copy(conc, conc_host);

  fit::FitOutputs<Mem> out(space, "voxflow::bench::dce", o.voxels, n_params);
  std::vector<double> seconds;
  for (int r = 0; r <= o.repeats; ++r) {  // the first run warms caches and the device up and is not counted
    space.fence();
    Kokkos::Timer timer;
    dce::fit_dce(space, conc, inputs, Kokkos::View<std::uint8_t const*, Mem>(), fit, out);
    space.fence();
    if (r > 0) seconds.push_back(timer.seconds());
  }
  auto const status = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.status);
  auto const iterations = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.iterations);
  BenchResult const result = summarize(seconds, status, iterations);
  print_result("dce", o, ExecutionSpace::name(), concurrency_of(space), result);
}

}  // namespace

int run_dce_bench(BenchOptions const& o) {
  dce::DceFitOptions fit;
  if (!dce::parse_dce_model(o.model, fit.model))
    throw Error(ExitCode::usage,
                "unknown DCE model '" + o.model + "' (" + enum_choices(dce::dce_model_names) + ")");
  fit.fit_delay = o.fit_delay;
  fit.lm.lane_packs = !o.no_lanes;
  dispatch(bench_backend(o), [&](auto space) { run_on(space, o, fit); });
  return 0;
}

}  // namespace voxflow::bench
