// Variable-flip-angle T1 mapping through the public API (map_t1_vfa) on every execution space: exact recovery
// on noise-free data for every method across T1 = 20 ms .. 5 s and B1 != 1, sensible accuracy under noise,
// and a status for every kind of bad voxel.
#include "execution_spaces.hpp"
#include "t1_test_support.hpp"

#include <voxflow/t1/vfa_mapping.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using voxflow::FitStatus;
using voxflow::t1::T1Method;
using voxflow::t1::T1Options;
using namespace voxflow::t1::test;

struct Truth {
  double m0, t1, b1;
};

// T1 log-spaced from 20 ms to 5 s, crossed with three M0 scales and three B1 values.
std::vector<Truth> truth_grid() {
  std::vector<Truth> truths;
  int const n_t1 = 25;
  for (int k = 0; k < n_t1; ++k) {
    double const t1 = 0.02 * std::pow(5.0 / 0.02, static_cast<double>(k) / (n_t1 - 1));
    for (double m0 : {1.0, 2.5e3, 7.5e7})
      for (double b1 : {1.0, 0.8, 1.15}) truths.push_back({m0, t1, b1});
  }
  return truths;
}

HostSignal synthesise(std::vector<Truth> const& truths, std::vector<double> const& fa, double tr) {
  HostSignal y("y", truths.size(), fa.size());
  for (std::size_t v = 0; v < truths.size(); ++v)
    for (std::size_t j = 0; j < fa.size(); ++j)
      y(v, j) = spgr_signal(truths[v].m0, truths[v].t1, tr, fa[j], truths[v].b1);
  return y;
}

std::vector<double> b1_of(std::vector<Truth> const& truths) {
  std::vector<double> b1;
  for (auto const& t : truths) b1.push_back(t.b1);
  return b1;
}

template <class Space>
void expect_exact_recovery(T1Method method, T1Options const& options = {}) {
  std::vector<double> const fa{2.0, 5.0, 10.0, 15.0, 20.0, 30.0};
  double const tr = 0.005;
  auto const truths = truth_grid();
  auto const out = run_vfa<Space>(synthesise(truths, fa, tr), fa, tr, b1_of(truths), {}, method, options);
  for (std::size_t v = 0; v < truths.size(); ++v) {
    int const i = static_cast<int>(v);
    ASSERT_EQ(out.status_of(i), FitStatus::converged)
        << voxflow::t1::t1_method_name(method) << " voxel " << v;
    EXPECT_LT(relative_error(out.r1(i), 1.0 / truths[v].t1), 1e-6) << "voxel " << v << " T1 " << truths[v].t1;
    EXPECT_LT(relative_error(out.t1(i), truths[v].t1), 1e-6) << "voxel " << v;
    EXPECT_LT(relative_error(out.m0(i), truths[v].m0), 1e-6) << "voxel " << v;
    EXPECT_GT(out.r2(i), 1.0 - 1e-10) << "voxel " << v;
  }
}

template <class ExecutionSpace>
class VfaMapping : public ::testing::Test {};
TYPED_TEST_SUITE(VfaMapping, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(VfaMapping, NonlinearRecoversM0AndR1ExactlyWithB1) {
  expect_exact_recovery<TypeParam>(T1Method::nonlinear);
}

TYPED_TEST(VfaMapping, LinearRecoversM0AndR1ExactlyWithB1) {
  expect_exact_recovery<TypeParam>(T1Method::linear);
}

TYPED_TEST(VfaMapping, WeightedLinearRecoversM0AndR1Exactly) {
  T1Options options;
  options.weighted_linear = true;
  expect_exact_recovery<TypeParam>(T1Method::linear, options);
}

TYPED_TEST(VfaMapping, TwoPointRecoversM0AndR1Exactly) {
  expect_exact_recovery<TypeParam>(T1Method::two_point);
}

TYPED_TEST(VfaMapping, TwoPointUsesOnlyTheFirstAndLastFlipAngle) {
  std::vector<double> const fa{3.0, 8.0, 14.0, 25.0};
  double const tr = 0.004;
  std::vector<Truth> const truths{{1000.0, 1.2, 1.0}};
  auto y = synthesise(truths, fa, tr);
  y(0, 1) *= 3.0;  // corrupt the middle samples: only the two-point estimate is unaffected
  y(0, 2) *= 0.2;
  auto const out = run_vfa<TypeParam>(y, fa, tr, {}, {}, T1Method::two_point);
  ASSERT_EQ(out.status_of(0), FitStatus::converged);
  EXPECT_LT(relative_error(out.t1(0), 1.2), 1e-9);
  EXPECT_LT(out.r2(0), 0.9);  // R² is over every flip angle, so it shows the corruption
}

TYPED_TEST(VfaMapping, TwoFlipAnglesAreEnoughForEveryMethod) {
  std::vector<double> const fa{4.0, 18.0};
  double const tr = 0.006;
  std::vector<Truth> const truths{{500.0, 0.9, 1.0}, {500.0, 0.3, 1.0}};
  for (T1Method method : {T1Method::linear, T1Method::two_point, T1Method::nonlinear}) {
    auto const out = run_vfa<TypeParam>(synthesise(truths, fa, tr), fa, tr, {}, {}, method);
    for (int v = 0; v < 2; ++v) {
      EXPECT_EQ(out.status_of(v), FitStatus::converged) << voxflow::t1::t1_method_name(method);
      EXPECT_LT(relative_error(out.t1(v), truths[v].t1), 1e-6) << voxflow::t1::t1_method_name(method);
    }
  }
}

TYPED_TEST(VfaMapping, NoisyDataGiveAccurateEstimates) {
  std::vector<double> const fa{2.0, 5.0, 10.0, 15.0, 20.0, 30.0};
  double const tr = 0.005;
  std::mt19937_64 rng(11u);
  std::uniform_real_distribution<double> ut1(0.3, 3.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  int const n = 1000;
  std::vector<Truth> truths;
  for (int v = 0; v < n; ++v) truths.push_back({1000.0, ut1(rng), 1.0});
  auto y = synthesise(truths, fa, tr);
  for (int v = 0; v < n; ++v)
    for (std::size_t j = 0; j < fa.size(); ++j) y(v, j) += 0.5 * gauss(rng);  // SNR ~ 100 at the Ernst angle
  auto const out = run_vfa<TypeParam>(y, fa, tr, {}, {}, T1Method::nonlinear);
  std::vector<double> errors;
  for (int v = 0; v < n; ++v) {
    ASSERT_TRUE(voxflow::fit_status_usable(out.status_of(v))) << "voxel " << v;
    errors.push_back(relative_error(out.t1(v), truths[v].t1));
  }
  std::nth_element(errors.begin(), errors.begin() + n / 2, errors.end());
  EXPECT_LT(errors[n / 2], 0.05);
}

TYPED_TEST(VfaMapping, BadVoxelsGetTheirStatusAndNeverStopTheOthers) {
  std::vector<double> const fa{3.0, 6.0, 10.0, 20.0, 30.0};
  double const tr = 0.005;
  std::vector<Truth> truths(9, Truth{800.0, 1.1, 1.0});
  auto y = synthesise(truths, fa, tr);
  double const nan = std::numeric_limits<double>::quiet_NaN();
  y(0, 2) = nan;                                              // 0: NaN sample
  y(1, 0) = std::numeric_limits<double>::infinity();          // 1: Inf sample
  for (std::size_t j = 0; j < fa.size(); ++j) y(2, j) = 0.0;  // 2: all zero
  std::vector<double> b1(9, 1.0);
  b1[3] = nan;                                   // 3: NaN B1
  b1[4] = 0.0;                                   // 4: B1 = 0
  b1[5] = 7.0;                                   // 5: 30 deg * 7 >= 180 deg
  for (std::size_t j = 0; j < fa.size(); ++j) {  // 6: a line with E1 = -0.5: no physical T1
    double const a = fa[j] * 3.14159265358979323846 / 180.0;
    y(6, j) = std::sin(a) / (1.0 + 0.5 * std::cos(a));
  }
  std::vector<std::uint8_t> const mask{1, 1, 1, 1, 1, 1, 1, 0, 1};  // 7: masked out; 8: clean
  for (T1Method method : {T1Method::linear, T1Method::two_point, T1Method::nonlinear}) {
    SCOPED_TRACE(voxflow::t1::t1_method_name(method));
    auto const out = run_vfa<TypeParam>(y, fa, tr, b1, mask, method);
    for (int v : {0, 1, 3, 4, 5}) {
      EXPECT_EQ(out.status_of(v), FitStatus::non_finite_input) << "voxel " << v;
      EXPECT_TRUE(std::isnan(out.t1(v)) && std::isnan(out.r1(v)) && std::isnan(out.m0(v))) << "voxel " << v;
    }
    EXPECT_EQ(out.status_of(2), FitStatus::flat_signal);
    EXPECT_EQ(out.m0(2), 0.0);
    EXPECT_TRUE(std::isnan(out.t1(2)));
    if (method == T1Method::nonlinear) {  // bounded: always some estimate, judged by its status and R²
      EXPECT_TRUE(std::isfinite(out.r1(6)));
      EXPECT_GE(out.r1(6), voxflow::t1::spgr_r1_min);
      EXPECT_LE(out.r1(6), voxflow::t1::spgr_r1_max);
    } else {
      EXPECT_EQ(out.status_of(6), FitStatus::non_finite_model);
      EXPECT_TRUE(std::isnan(out.t1(6)));
    }
    EXPECT_EQ(out.status_of(7), FitStatus::masked_out);
    EXPECT_EQ(out.status_of(8), FitStatus::converged);
    EXPECT_LT(relative_error(out.t1(8), 1.1), 1e-6);
  }
}

TYPED_TEST(VfaMapping, EqualSignalsAtEqualXGiveASingularLine) {
  // S = c tan(a) makes x = S / tan(a) the same at every flip angle: the DESPOT1 slope is undetermined.
  std::vector<double> const fa{5.0, 10.0, 20.0};
  HostSignal y("y", 1, fa.size());
  for (std::size_t j = 0; j < fa.size(); ++j)
    y(0, j) = 100.0 * std::tan(fa[j] * 3.14159265358979323846 / 180.0);
  auto const out = run_vfa<TypeParam>(y, fa, 0.005, {}, {}, T1Method::linear);
  EXPECT_EQ(out.status_of(0), FitStatus::singular);
  EXPECT_TRUE(std::isnan(out.t1(0)));
}

}  // namespace
