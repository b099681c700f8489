// The Boxerman-Schmainda-Weisskoff leakage fit on every execution space: curves made of K1 · ref − K2 · ∫ref
// give back K1 and K2, and the corrected curve is K1 · ref (the intravascular part stays).
#include "dsc_test_support.hpp"
#include "execution_spaces.hpp"

#include <voxflow/dsc/leakage_correction.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace {

using namespace voxflow::testing::dsc;

template <class ExecutionSpace>
class DscLeakage : public ::testing::Test {};
TYPED_TEST_SUITE(DscLeakage, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(DscLeakage, RecoversK1AndK2AndRemovesOnlyTheLeakageTerm) {
  using Mem = typename TypeParam::memory_space;
  auto const times = frame_times(80, 1.0);
  auto const ref = tissue_curve(times, 40.0, 4.0, 0.0, Residue::gamma);
  auto const regressors = voxflow::dsc::leakage_regressors(ref, times);
  ASSERT_TRUE(regressors.usable);
  struct Truth {
    double k1, k2;
  };
  std::vector<Truth> const truth{{1.0, 0.0}, {0.7, 0.02}, {1.3, -0.01}};
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> host("test::curves", truth.size() + 1,
                                                                      times.size());
  for (std::size_t v = 0; v < truth.size(); ++v)
    for (std::size_t j = 0; j < times.size(); ++j)
      host(v, j) = truth[v].k1 * ref[j] - truth[v].k2 * regressors.integral[j];
  for (std::size_t j = 0; j < times.size(); ++j) host(truth.size(), j) = ref[j];
  host(truth.size(), 5) = std::numeric_limits<double>::quiet_NaN();
  auto const curves = voxflow::upload_series<Mem>(host, "test::curves");
  voxflow::Maps<Mem> out("test::out", truth.size() + 1, times.size() + 2);
  voxflow::dsc::fit_leakage(TypeParam(), curves, regressors, out);
  voxflow::Maps<Mem> k("test::k", truth.size() + 1, 2);
  voxflow::dsc::fit_leakage(TypeParam(), curves, regressors, k);
  auto const h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  auto const hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), k);
  std::size_t const n = times.size();
  for (std::size_t v = 0; v < truth.size(); ++v) {
    EXPECT_NEAR(h(v, n), truth[v].k1, 1e-9);
    EXPECT_NEAR(h(v, n + 1), truth[v].k2, 1e-9);
    EXPECT_NEAR(hk(v, 0), truth[v].k1, 1e-9);
    EXPECT_NEAR(hk(v, 1), truth[v].k2, 1e-9);
    for (std::size_t j = 0; j < n; ++j) EXPECT_NEAR(h(v, j), truth[v].k1 * ref[j], 1e-9);
  }
  EXPECT_TRUE(std::isnan(h(truth.size(), n + 1)));
  EXPECT_TRUE(std::isnan(h(truth.size(), 5)));  // left unchanged
  EXPECT_EQ(h(truth.size(), 6), ref[6]);
}

TEST(DscLeakageRegressors, AFlatReferenceIsNotUsable) {
  auto const times = frame_times(20, 1.0);
  EXPECT_FALSE(voxflow::dsc::leakage_regressors(std::vector<double>(20, 0.0), times).usable);
}

}  // namespace
