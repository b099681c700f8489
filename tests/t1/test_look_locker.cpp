// Look-Locker T1 mapping through the public API (map_t1_look_locker) on every execution space: exact recovery
// of A, B, T1* and the Deichmann-Haase T1 on noise-free signed curves, and a status for every kind of bad
// voxel.
#include "execution_spaces.hpp"
#include "t1_test_support.hpp"

#include <voxflow/t1/look_locker_mapping.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using voxflow::FitStatus;
using namespace voxflow::t1::test;

struct LLTruth {
  double a, b, t1_star;
  double t1() const { return t1_star * (b / a - 1.0); }
};

HostSignal synthesise(std::vector<LLTruth> const& truths, std::vector<double> const& ti) {
  HostSignal y("y", truths.size(), ti.size());
  for (std::size_t v = 0; v < truths.size(); ++v)
    for (std::size_t j = 0; j < ti.size(); ++j)
      y(v, j) = truths[v].a - truths[v].b * std::exp(-ti[j] / truths[v].t1_star);
  return y;
}

std::vector<double> inversion_times() {
  std::vector<double> ti;
  for (int j = 0; j < 30; ++j) ti.push_back(0.1 + 0.1 * j);  // a 3 s readout train, 100 ms spacing
  return ti;
}

template <class ExecutionSpace>
class LookLocker : public ::testing::Test {};
TYPED_TEST_SUITE(LookLocker, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(LookLocker, RecoversT1ExactlyOnNoiseFreeSignedCurves) {
  auto const ti = inversion_times();
  std::vector<LLTruth> truths;
  for (double t1_star : {0.05, 0.2, 0.5, 0.9, 1.5, 2.5})
    for (double ratio : {1.3, 1.9, 2.0})  // B/A: partial to full inversion
      for (double a : {1.0, 350.0, -80.0}) truths.push_back({a, ratio * a, t1_star});
  auto const out = run_look_locker<TypeParam>(synthesise(truths, ti), ti);
  for (std::size_t v = 0; v < truths.size(); ++v) {
    int const i = static_cast<int>(v);
    ASSERT_EQ(out.status_of(i), FitStatus::converged) << "voxel " << v;
    EXPECT_LT(relative_error(out.t1_star(i), truths[v].t1_star), 1e-6) << "voxel " << v;
    EXPECT_LT(relative_error(out.a(i), truths[v].a), 1e-6) << "voxel " << v;
    EXPECT_LT(relative_error(out.b(i), truths[v].b), 1e-6) << "voxel " << v;
    EXPECT_LT(relative_error(out.t1(i), truths[v].t1()), 1e-6) << "voxel " << v;
    EXPECT_LT(relative_error(out.r1(i), 1.0 / truths[v].t1()), 1e-6) << "voxel " << v;
    EXPECT_GT(out.r2(i), 1.0 - 1e-10);
  }
}

TYPED_TEST(LookLocker, NoisyCurvesGiveAccurateT1) {
  auto const ti = inversion_times();
  std::mt19937_64 rng(21u);
  std::uniform_real_distribution<double> ut1s(0.3, 1.5), uratio(1.6, 2.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  int const n = 500;
  std::vector<LLTruth> truths;
  for (int v = 0; v < n; ++v) truths.push_back({1000.0, 1000.0 * uratio(rng), ut1s(rng)});
  auto y = synthesise(truths, ti);
  for (int v = 0; v < n; ++v)
    for (std::size_t j = 0; j < ti.size(); ++j) y(v, j) += 10.0 * gauss(rng);  // 1 % of A
  auto const out = run_look_locker<TypeParam>(y, ti);
  std::vector<double> errors;
  for (int v = 0; v < n; ++v) {
    ASSERT_TRUE(voxflow::fit_status_usable(out.status_of(v))) << "voxel " << v;
    errors.push_back(relative_error(out.t1(v), truths[v].t1()));
  }
  std::nth_element(errors.begin(), errors.begin() + n / 2, errors.end());
  EXPECT_LT(errors[n / 2], 0.05);
}

TYPED_TEST(LookLocker, ThreeInversionTimesAreEnough) {
  std::vector<double> const ti{0.1, 0.6, 2.0};
  std::vector<LLTruth> const truths{{100.0, 190.0, 0.7}};
  auto const out = run_look_locker<TypeParam>(synthesise(truths, ti), ti);
  EXPECT_TRUE(voxflow::fit_status_usable(out.status_of(0)));
  EXPECT_LT(relative_error(out.t1(0), truths[0].t1()), 1e-6);
}

TYPED_TEST(LookLocker, BadVoxelsGetTheirStatusAndNeverStopTheOthers) {
  auto const ti = inversion_times();
  std::vector<LLTruth> truths(6, LLTruth{200.0, 380.0, 0.8});
  truths[3] = LLTruth{200.0, 100.0, 0.8};  // 3: B/A < 1, no inversion: T1 undefined
  auto y = synthesise(truths, ti);
  y(0, 4) = std::numeric_limits<double>::quiet_NaN();         // 0: NaN sample
  for (std::size_t j = 0; j < ti.size(); ++j) y(1, j) = 0.0;  // 1: all zero
  std::vector<std::uint8_t> const mask{1, 1, 0, 1, 1, 1};     // 2: masked out; 4, 5: clean
  auto const out = run_look_locker<TypeParam>(y, ti, mask);
  EXPECT_EQ(out.status_of(0), FitStatus::non_finite_input);
  EXPECT_TRUE(std::isnan(out.t1(0)));
  EXPECT_EQ(out.status_of(1), FitStatus::flat_signal);
  EXPECT_TRUE(std::isnan(out.t1(1)));
  EXPECT_EQ(out.status_of(2), FitStatus::masked_out);
  EXPECT_EQ(out.status_of(3), FitStatus::non_finite_model);
  EXPECT_TRUE(std::isnan(out.t1(3)) && std::isnan(out.r1(3)));
  EXPECT_LT(relative_error(out.t1_star(3), 0.8), 1e-6);  // the fit itself is kept
  for (int v : {4, 5}) {
    EXPECT_EQ(out.status_of(v), FitStatus::converged);
    EXPECT_LT(relative_error(out.t1(v), truths[v].t1()), 1e-6);
  }
}

}  // namespace
