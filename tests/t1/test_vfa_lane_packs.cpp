// The non-linear VFA T1 fit in SIMD lane packs (fit_lane_packs.hpp) against one voxel per work item, on every
// execution space: each voxel's M0, R1, T1, SSE and R² to 1e-12 relative, the same status and the same
// iteration count, over voxels that converge at different iterations, reach the cost floor, end on a bound,
// are flat, zero, non-finite or masked out, hit the iteration limit, and fill a last pack only partly.
#include "execution_spaces.hpp"
#include "t1_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using voxflow::FitStatus;
using voxflow::t1::T1Method;
using voxflow::t1::T1Options;
using voxflow::t1::test::HostSignal;
using voxflow::t1::test::HostT1;
using voxflow::t1::test::run_vfa;
using voxflow::t1::test::spgr_signal;

constexpr double tr_s = 0.005;

struct Voxels {
  HostSignal signal;
  std::vector<std::uint8_t> mask;
};

Voxels make_voxels(std::vector<double> const& fa_deg) {
  int const n = static_cast<int>(fa_deg.size());
  std::vector<std::vector<double>> curves;
  std::mt19937_64 rng(29);
  std::normal_distribution<double> gauss(0.0, 1.0);
  for (int v = 0; v < 40; ++v) {
    double const t1 = 0.2 + 0.1 * (v % 37);  // 0.2 to 3.8 s
    double const m0 = 500.0 + 100.0 * (v % 7);
    // Noise-free (cost floor) for the first eight, then 0.2 % to 8 % of M0.
    double const sd = v < 8 ? 0.0 : m0 * 0.002 * (1 + v % 5) * (1 + (v / 10) % 4) * (v % 3 == 0 ? 2.0 : 1.0);
    std::vector<double> c(n);
    for (int j = 0; j < n; ++j) c[j] = spgr_signal(m0, t1, tr_s, fa_deg[j]) + sd * gauss(rng);
    curves.push_back(c);
  }
  std::vector<double> short_t1(n);  // T1 below the 1 ms bound: R1 ends on its upper bound
  for (int j = 0; j < n; ++j) short_t1[j] = spgr_signal(800.0, 2e-4, tr_s, fa_deg[j]);
  curves.push_back(short_t1);
  std::vector<double> negative = curves[11];  // M0 >= 0 stops a negative curve on its bound
  for (double& x : negative) x = -x;
  curves.push_back(negative);
  curves.push_back(std::vector<double>(n, 0.0));    // all zero
  curves.push_back(std::vector<double>(n, 120.0));  // constant, non-zero
  std::vector<double> with_nan = curves[12];
  with_nan[1] = std::numeric_limits<double>::quiet_NaN();
  curves.push_back(with_nan);
  std::vector<double> with_inf = curves[13];
  with_inf[0] = std::numeric_limits<double>::infinity();
  curves.push_back(with_inf);
  for (int k = 0; k < 5; ++k) {  // pure noise
    std::vector<double> c(n);
    for (int j = 0; j < n; ++j) c[j] = std::fabs(gauss(rng)) * 10.0;
    curves.push_back(c);
  }
  curves.push_back(curves[15]);  // masked out
  curves.push_back(curves[16]);  // masked out
  // 40 + 6 + 5 + 2 = 53 voxels: the last pack is partial for every width above 1.
  Voxels vx;
  vx.signal = HostSignal("signal", curves.size(), n);
  for (std::size_t v = 0; v < curves.size(); ++v)
    for (int j = 0; j < n; ++j) vx.signal(v, j) = curves[v][j];
  vx.mask.assign(curves.size(), 1);
  vx.mask[curves.size() - 1] = vx.mask[curves.size() - 2] = 0;
  return vx;
}

// Equal to 1e-12 relative; NaN equals NaN (failed voxels).
bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

// Fits the voxels in lane packs and one per work item; returns the statuses seen.
template <class Space>
std::set<FitStatus> expect_lanes_equal_scalar(std::vector<double> const& fa_deg, int max_iterations,
                                              std::size_t distinct_iterations = 4,
                                              std::vector<double> const& b1 = {}) {
  Voxels const vx = make_voxels(fa_deg);
  T1Options lanes_o;
  lanes_o.lm.max_iterations = max_iterations;
  T1Options scalar_o = lanes_o;
  scalar_o.lm.lane_packs = false;
  HostT1 const lanes = run_vfa<Space>(vx.signal, fa_deg, tr_s, b1, vx.mask, T1Method::nonlinear, lanes_o);
  HostT1 const scalar = run_vfa<Space>(vx.signal, fa_deg, tr_s, b1, vx.mask, T1Method::nonlinear, scalar_o);
  std::set<FitStatus> statuses;
  std::set<int> iteration_counts;
  for (int v = 0; v < static_cast<int>(vx.signal.extent(0)); ++v) {
    SCOPED_TRACE("voxel " + std::to_string(v));
    EXPECT_EQ(lanes.status_of(v), scalar.status_of(v));
    EXPECT_EQ(lanes.iterations(v), scalar.iterations(v));
    EXPECT_TRUE(same(lanes.m0(v), scalar.m0(v))) << lanes.m0(v) << " vs " << scalar.m0(v);
    EXPECT_TRUE(same(lanes.r1(v), scalar.r1(v))) << lanes.r1(v) << " vs " << scalar.r1(v);
    EXPECT_TRUE(same(lanes.t1(v), scalar.t1(v))) << lanes.t1(v) << " vs " << scalar.t1(v);
    // An exact fit's SSE is rounding noise of sum y^2: relative to that, not to itself.
    double sum_sq = 0.0;
    for (int j = 0; j < static_cast<int>(fa_deg.size()); ++j) sum_sq += vx.signal(v, j) * vx.signal(v, j);
    EXPECT_TRUE(same(lanes.sse(v), scalar.sse(v)) ||
                std::fabs(lanes.sse(v) - scalar.sse(v)) <= 1e-14 * sum_sq)
        << lanes.sse(v) << " vs " << scalar.sse(v);
    EXPECT_TRUE(same(lanes.r2(v), scalar.r2(v)) || std::fabs(lanes.r2(v) - scalar.r2(v)) <= 1e-12)
        << lanes.r2(v) << " vs " << scalar.r2(v);
    statuses.insert(scalar.status_of(v));
    iteration_counts.insert(scalar.iterations(v));
  }
  EXPECT_GE(iteration_counts.size(), std::min<std::size_t>(distinct_iterations, max_iterations))
      << "the lanes of a pack should stop at different iterations";
  // The noise-free voxels are recovered (at B1 = 1): both paths fit, not merely agree.
  for (int v = 0; v < 8; ++v) {
    if (!b1.empty() && b1[v] != 1.0) continue;
    EXPECT_NEAR(scalar.t1(v), 0.2 + 0.1 * (v % 37), 1e-6 * (0.2 + 0.1 * v));
  }
  return statuses;
}

template <class Space>
class VfaLanePacks : public ::testing::Test {};
TYPED_TEST_SUITE(VfaLanePacks, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(VfaLanePacks, HostSpacesFitInPacksOfTheCompileTargetsWidthWithTheSharedStartGrid) {
  using Mem = typename TypeParam::memory_space;
  bool const host = Kokkos::SpaceAccessibility<TypeParam, Kokkos::HostSpace>::accessible;
  std::vector<double> const radians = {0.05, 0.2, 0.35};
  auto const model = voxflow::t1::make_spgr_model<Mem>(TypeParam(), radians, tr_s, "test");
  voxflow::fit::LMOptions lm;
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(model, lm), host ? voxflow::fit::host_lanes : 1);
  lm.lane_packs = false;
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(model, lm), 1);
  lm.lane_packs = true;
  // A voxel's own B1, or a model built by hand (no shared start grid), stays one voxel per work item.
  auto scaled = model;
  scaled.use_b1(0.9);
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(scaled, lm), 1);
  voxflow::t1::SpgrModel<Mem> by_hand;
  by_hand.alpha = model.alpha;
  by_hand.tr = tr_s;
  EXPECT_EQ(voxflow::fit::lane_pack_width<TypeParam>(by_hand, lm), 1);
}

TYPED_TEST(VfaLanePacks, EveryLaneEqualsTheScalarFitWithTheSameIterationsAndStatus) {
  for (auto const& fa :
       std::vector<std::vector<double>>{{2.0, 5.0, 10.0, 15.0}, {3.0, 17.0}, {2, 4, 8, 12, 16, 20}}) {
    SCOPED_TRACE(std::to_string(fa.size()) + " flip angles");
    // Two angles determine (M0, R1) exactly: every start is already the fit, one or two steps from it.
    auto const statuses = expect_lanes_equal_scalar<TypeParam>(fa, 100, fa.size() == 2 ? 2 : 4);
    for (FitStatus s : {FitStatus::converged, FitStatus::converged_at_bound, FitStatus::flat_signal,
                        FitStatus::non_finite_input, FitStatus::masked_out})
      EXPECT_EQ(statuses.count(s), 1u) << "the voxel set should contain status " << static_cast<int>(s);
  }
}

TYPED_TEST(VfaLanePacks, LanesStoppedByTheIterationLimitEqualTheScalarFit) {
  auto const statuses = expect_lanes_equal_scalar<TypeParam>({2.0, 5.0, 10.0, 15.0}, 2);
  EXPECT_EQ(statuses.count(FitStatus::max_iterations), 1u);
}

// With a B1 map each lane has its voxel's angle terms and start-grid curves; lanes at B1 = 1 keep the shared
// ones, and lanes whose B1 is unusable (NaN, 0, pushing an angle past 180 degrees) are written without a fit.
TYPED_TEST(VfaLanePacks, LanesWithTheirOwnB1EqualTheScalarFit) {
  std::vector<double> const fa = {2.0, 5.0, 10.0, 15.0};
  std::size_t const n = make_voxels(fa).signal.extent(0);
  std::vector<double> b1(n);
  for (std::size_t v = 0; v < n; ++v) b1[v] = v % 4 == 0 ? 1.0 : 0.85 + 0.01 * static_cast<double>(v % 30);
  b1[9] = std::numeric_limits<double>::quiet_NaN();
  b1[17] = 0.0;
  b1[25] = 13.0;  // 15 degrees x 13 > 180 degrees
  auto const statuses = expect_lanes_equal_scalar<TypeParam>(fa, 100, 4, b1);
  EXPECT_EQ(statuses.count(FitStatus::non_finite_input), 1u);
  std::vector<double> const one(n, 1.0);  // a map of ones: the shared terms in every lane
  expect_lanes_equal_scalar<TypeParam>(fa, 100, 4, one);
}

}  // namespace
