// SIMD lane packs (fit_lane_packs.hpp) against the one-voxel-per-work-item path on every execution space and
// every model with a lane pass: each voxel's parameters, SSE and R² to 1e-12 relative, the same status and
// the same iteration count, over a voxel set whose lanes converge at different iterations, stop on the cost
// floor, end on bounds, fail, hit the iteration limit, are masked out, and fill a last pack only partly.
#include "dce_test_support.hpp"
#include "execution_spaces.hpp"

#include <voxflow/dce/fit_dce.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <vector>

namespace {

using voxflow::FitStatus;
using voxflow::dce::DceFitOptions;
using voxflow::dce::DceModel;

struct Fitted {
  std::vector<std::vector<double>> params;
  std::vector<FitStatus> status;
  std::vector<int> iterations;
  std::vector<double> sse, r2;
};

struct Voxels {
  std::vector<std::vector<double>> curves;
  std::vector<std::uint8_t> mask;
};

// The tissue grid is the AIF's (4 s frames), so the undelayed models take the uniform recursion lane packs
// have.
struct Problem {
  std::vector<double> t = voxflow::testing::uniform_times(80, 4.0);
  std::vector<double> ca = voxflow::testing::parker_plasma(t, 20.0);
};

std::vector<double> truth(DceModel model, double u) {
  switch (model) {
    case DceModel::tofts:
      return {0.05 + 0.5 * u, 0.1 + 0.5 * u};
    case DceModel::extended_tofts:
      return {0.05 + 0.5 * u, 0.1 + 0.5 * u, 0.005 + 0.1 * u};
    case DceModel::patlak:
      return {0.01 + 0.1 * u, 0.02 + 0.1 * u};
    case DceModel::two_compartment_exchange:
      return {0.1 + 0.5 * u, 0.05 + 0.2 * u, 0.1 + 0.3 * u, 0.02 + 0.1 * u};
    case DceModel::two_compartment_uptake:
      return {0.1 + 0.5 * u, 0.01 + 0.1 * u, 0.02 + 0.1 * u};
  }
  return {};
}

// With `delay`, arterial delays from -6 s to 15 s, on and off the 4 s frames.
template <class ExecutionSpace>
Voxels make_voxels(Problem const& pr, DceModel model, bool delay = false) {
  using Mem = typename ExecutionSpace::memory_space;
  auto const in = voxflow::dce::make_dce_inputs<Mem>(pr.t, pr.t, pr.ca, "test");
  DceFitOptions o;
  o.model = model;
  o.fit_delay = delay;
  std::vector<std::vector<double>> params;
  for (int v = 0; v < 40; ++v) params.push_back(truth(model, (v % 10) / 10.0));
  params.push_back(truth(model, 0.3));
  params.back().back() = 0.0;  // a zero vp (or last parameter) that noise pushes onto its bound
  if (delay)
    for (std::size_t v = 0; v < params.size(); ++v)
      params[v].push_back(-6.0 + 1.5 * static_cast<double>(v % 15));
  auto const p = voxflow::testing::upload_maps<Mem>(params);
  voxflow::Series<Mem> out("out", params.size(), pr.t.size());
  voxflow::dce::predict_dce(ExecutionSpace(), in, o, p, out);
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);

  Voxels vx;
  std::mt19937_64 rng(13);
  std::normal_distribution<double> gauss(0.0, 1.0);
  int const n = static_cast<int>(pr.t.size());
  for (std::size_t v = 0; v < params.size(); ++v) {
    std::vector<double> c(n);
    double peak = 0.0;
    for (int j = 0; j < n; ++j) peak = std::max(peak, std::fabs(h(v, j)));
    // Noise-free (cost floor) for the first ten, then 0.5 % to 20 % noise: different iteration counts.
    double const sd = v < 10 ? 0.0 : peak * (v < 41 ? 0.005 * (1 + v % 5) * (1 + (v / 10) % 4) : 0.05);
    for (int j = 0; j < n; ++j) c[j] = h(v, j) + sd * gauss(rng);
    vx.curves.push_back(c);
  }
  std::vector<double> scaled = vx.curves[3];
  for (double& x : scaled) x *= 400.0;  // Ktrans far above its upper bound
  vx.curves.push_back(scaled);
  vx.curves.push_back(std::vector<double>(n, 0.0));  // flat
  vx.curves.push_back(std::vector<double>(n, 0.7));  // flat, non-zero
  std::vector<double> with_nan = vx.curves[12];
  with_nan[17] = std::numeric_limits<double>::quiet_NaN();
  vx.curves.push_back(with_nan);
  for (int k = 0; k < 6; ++k) {  // pure noise, negative curves: slow, odd fits
    std::vector<double> c(n);
    for (int j = 0; j < n; ++j) c[j] = (k % 2 ? -1.0 : 1.0) * std::fabs(gauss(rng)) * 0.1;
    vx.curves.push_back(c);
  }
  vx.curves.push_back(vx.curves[15]);  // masked out
  vx.curves.push_back(vx.curves[16]);  // masked out
  vx.mask.assign(vx.curves.size(), 1);
  vx.mask[vx.curves.size() - 1] = vx.mask[vx.curves.size() - 2] = 0;
  // 41 + 4 + 6 + 2 = 53 voxels: the last pack is partial for every width above 1.
  return vx;
}

template <class ExecutionSpace>
Fitted fit(Problem const& pr, Voxels const& vx, DceFitOptions const& o) {
  using Mem = typename ExecutionSpace::memory_space;
  ExecutionSpace space;
  auto const in = voxflow::dce::make_dce_inputs<Mem>(pr.t, pr.t, pr.ca, "test");
  int const nv = static_cast<int>(vx.curves.size());
  int const n = static_cast<int>(pr.t.size());
  voxflow::Series<Mem> data("data", nv, n);
  auto dh = Kokkos::create_mirror_view(data);
  for (int v = 0; v < nv; ++v)
    for (int j = 0; j < n; ++j) dh(v, j) = vx.curves[v][j];
  Kokkos::deep_copy(data, dh);
  Kokkos::View<std::uint8_t*, Mem> mask("mask", nv);
  auto mh = Kokkos::create_mirror_view(mask);
  for (int v = 0; v < nv; ++v) mh(v) = vx.mask[v];
  Kokkos::deep_copy(mask, mh);
  int const np = static_cast<int>(voxflow::dce::dce_parameter_names(o.model, o.fit_delay).size());
  voxflow::fit::FitOutputs<Mem> out(space, "test", nv, np);
  voxflow::dce::fit_dce(space, data, in, Kokkos::View<std::uint8_t const*, Mem>(mask), o, out);
  space.fence();
  auto const p = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.params);
  auto const s = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.status);
  auto const it = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.iterations);
  auto const sse = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.sse);
  auto const r2 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.r2);
  Fitted f;
  for (int v = 0; v < nv; ++v) {
    f.params.emplace_back();
    for (int i = 0; i < np; ++i) f.params.back().push_back(p(v, i));
    f.status.push_back(static_cast<FitStatus>(s(v)));
    f.iterations.push_back(it(v));
    f.sse.push_back(sse(v));
    f.r2.push_back(r2(v));
  }
  return f;
}

// Equal to 1e-12 relative; NaN equals NaN (failed voxels).
bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

template <class ExecutionSpace>
std::set<FitStatus> expect_lanes_equal_scalar(DceModel model, unsigned max_iterations, bool delay = false) {
  Problem const pr;
  Voxels const vx = make_voxels<ExecutionSpace>(pr, model, delay);
  DceFitOptions o;
  o.model = model;
  o.fit_delay = delay;
  o.lm.max_iterations = static_cast<int>(max_iterations);
  DceFitOptions scalar_o = o;
  scalar_o.lm.lane_packs = false;
  Fitted const lanes = fit<ExecutionSpace>(pr, vx, o);
  Fitted const scalar = fit<ExecutionSpace>(pr, vx, scalar_o);
  std::set<FitStatus> statuses;
  std::set<int> iteration_counts;
  for (std::size_t v = 0; v < vx.curves.size(); ++v) {
    SCOPED_TRACE("voxel " + std::to_string(v));
    EXPECT_EQ(lanes.status[v], scalar.status[v]);
    EXPECT_EQ(lanes.iterations[v], scalar.iterations[v]);
    for (std::size_t i = 0; i < lanes.params[v].size(); ++i) {
      // A delay fitted at (or near) zero is rounding noise there: to 1e-12 of the search range instead.
      bool const is_delay = delay && i + 1 == lanes.params[v].size();
      double const range = o.delay.upper_s - o.delay.lower_s;
      EXPECT_TRUE(same(lanes.params[v][i], scalar.params[v][i]) ||
                  (is_delay && std::fabs(lanes.params[v][i] - scalar.params[v][i]) <= 1e-12 * range))
          << "parameter " << i << ": " << lanes.params[v][i] << " vs " << scalar.params[v][i];
    }
    // An exact fit's SSE is rounding noise of sum y^2: relative to that, not to itself.
    double sum_sq = 0.0;
    for (double y : vx.curves[v]) sum_sq += y * y;
    EXPECT_TRUE(same(lanes.sse[v], scalar.sse[v]) ||
                std::fabs(lanes.sse[v] - scalar.sse[v]) <= 1e-14 * sum_sq)
        << lanes.sse[v] << " vs " << scalar.sse[v];
    EXPECT_TRUE(same(lanes.r2[v], scalar.r2[v]) || std::fabs(lanes.r2[v] - scalar.r2[v]) <= 1e-12)
        << lanes.r2[v] << " vs " << scalar.r2[v];
    statuses.insert(scalar.status[v]);
    iteration_counts.insert(scalar.iterations[v]);
  }
  EXPECT_GE(iteration_counts.size(), std::min(4u, max_iterations))
      << "the lanes of a pack should stop at different iterations";
  return statuses;
}

template <class ExecutionSpace>
class DceLanePacks : public ::testing::Test {};
TYPED_TEST_SUITE(DceLanePacks, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

constexpr DceModel lane_models[] = {DceModel::tofts, DceModel::extended_tofts,
                                    DceModel::two_compartment_exchange, DceModel::two_compartment_uptake};

TYPED_TEST(DceLanePacks, HostSpacesFitInPacksOfTheCompileTargetsWidth) {
  using Mem = typename TypeParam::memory_space;
  Problem const pr;
  auto const in = voxflow::dce::make_dce_inputs<Mem>(pr.t, pr.t, pr.ca, "test");
  bool const host = Kokkos::SpaceAccessibility<TypeParam, Kokkos::HostSpace>::accessible;
  voxflow::fit::LMOptions lm;
  voxflow::dce::ExtendedToftsModel<Mem> model(in);
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(model, lm), host ? voxflow::fit::host_lanes : 1);
  voxflow::dce::ToftsModel<Mem> tofts(in);
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(tofts, lm), host ? voxflow::fit::host_lanes : 1);
  voxflow::dce::TwoCompartmentExchangeModel<Mem> exchange(in);
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(exchange, lm), host ? voxflow::fit::host_lanes : 1);
  voxflow::dce::TwoCompartmentUptakeModel<Mem> uptake(in);
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(uptake, lm), host ? voxflow::fit::host_lanes : 1);
  lm.lane_packs = false;
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(model, lm), 1);
  // Inputs without the uniform recursion (AIF on its own grid) stay one voxel per work item.
  auto const fine = voxflow::testing::uniform_times(320, 1.0);
  auto const own_grid =
      voxflow::dce::make_dce_inputs<Mem>(pr.t, fine, voxflow::testing::parker_plasma(fine, 20.0), "test");
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(voxflow::dce::ExtendedToftsModel<Mem>(own_grid), {}), 1);
  // A Tofts-family delay fit packs lanes with the subject's delay table and padded AIF, as fit_dce gives it,
  // and only while its delay bounds stay within the padding; two-compartment delay fits stay one per item.
  voxflow::dce::DelaySearch const search;
  voxflow::dce::ExtendedToftsModel<Mem, true> delayed(in, search);
  lm.lane_packs = true;
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(delayed, lm), 1) << "no table, no padded AIF";
  delayed.delay_starts = voxflow::dce::make_delay_start_table(TypeParam(), in, search, "test");
  delayed.lane_aif = voxflow::dce::make_padded_aif(TypeParam(), in, "test");
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(delayed, lm), host ? voxflow::fit::host_lanes : 1);
  voxflow::dce::DelaySearch wide = search;
  wide.upper_s = 80 * 4.0;  // a delay of the whole series would leave the padding
  voxflow::dce::ExtendedToftsModel<Mem, true> too_wide(in, wide);
  too_wide.delay_starts = delayed.delay_starts;
  too_wide.lane_aif = delayed.lane_aif;
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(too_wide, lm), 1);
  EXPECT_EQ(
      voxflow::fit::lane_pack_width<TypeParam>(voxflow::dce::TwoCompartmentExchangeModel<Mem, true>(in), lm),
      1);
}

TYPED_TEST(DceLanePacks, EveryLaneEqualsTheScalarFitWithTheSameIterationsAndStatus) {
  for (DceModel model : lane_models) {
    SCOPED_TRACE(voxflow::dce::dce_model_name(model));
    auto const statuses = expect_lanes_equal_scalar<TypeParam>(model, 100);
    for (FitStatus s : {FitStatus::converged, FitStatus::converged_at_bound, FitStatus::flat_signal,
                        FitStatus::non_finite_input, FitStatus::masked_out})
      EXPECT_EQ(statuses.count(s), 1u) << "the voxel set should contain status " << static_cast<int>(s);
  }
}

// Delay fits of the Tofts family: each lane's own shift of the AIF, on and off the frames, negative too, and
// the pack's delay search give each voxel the scalar fit.
TYPED_TEST(DceLanePacks, DelayFitLanesEqualTheScalarFit) {
  for (DceModel model : {DceModel::tofts, DceModel::extended_tofts, DceModel::patlak}) {
    SCOPED_TRACE(voxflow::dce::dce_model_name(model));
    auto const statuses = expect_lanes_equal_scalar<TypeParam>(model, 100, true);
    for (FitStatus s : {FitStatus::converged, FitStatus::non_finite_input, FitStatus::masked_out})
      EXPECT_EQ(statuses.count(s), 1u) << "the voxel set should contain status " << static_cast<int>(s);
  }
}

// The Tofts family only: the two-compartment fits stopped after two iterations sit mid-way on an
// ill-conditioned path, where lane and scalar rounding (about 1e-16) grows to about 2e-12.
TYPED_TEST(DceLanePacks, LanesStoppedByTheIterationLimitEqualTheScalarFit) {
  for (DceModel model : {DceModel::tofts, DceModel::extended_tofts}) {
    SCOPED_TRACE(voxflow::dce::dce_model_name(model));
    auto const statuses = expect_lanes_equal_scalar<TypeParam>(model, 2);
    EXPECT_EQ(statuses.count(FitStatus::max_iterations), 1u);
  }
}

}  // namespace
