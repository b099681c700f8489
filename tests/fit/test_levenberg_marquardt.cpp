// The batched bounded Levenberg-Marquardt core on models with known truth: exact recovery on noise-free data,
// sensible accuracy under noise, and the right status for every kind of bad voxel, on every execution space.
#include "execution_spaces.hpp"

#include <voxflow/fit/exponential_models.hpp>
#include <voxflow/fit/fit_voxels.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using voxflow::FitStatus;
using HostSeries = Kokkos::View<double**, Kokkos::HostSpace>;

struct HostOutputs {
  Kokkos::View<double**, Kokkos::LayoutStride, Kokkos::HostSpace>
      params;  // any layout: device maps are LayoutLeft
  Kokkos::View<std::uint8_t*, Kokkos::HostSpace> status;
  Kokkos::View<double*, Kokkos::HostSpace> r2, sse;
  Kokkos::View<std::uint16_t*, Kokkos::HostSpace> iterations;
  FitStatus status_of(int v) const { return static_cast<FitStatus>(status(v)); }
};

std::vector<double> time_grid(int n, double duration) {
  std::vector<double> t(n);
  for (int j = 0; j < n; ++j) t[j] = duration * j / (n - 1);
  return t;
}

// Fits host data with a model built on ExecutionSpace's memory by make_model(times) and returns host outputs.
template <class ExecutionSpace, template <class> class Model, class Configure>
HostOutputs fit_on(std::vector<double> const& t, HostSeries data,
                   std::vector<std::uint8_t> const& mask_values, voxflow::fit::LMOptions const& options,
                   Configure configure) {
  using Mem = typename ExecutionSpace::memory_space;
  ExecutionSpace space;
  Kokkos::View<double*, Kokkos::HostSpace> t_host("t", t.size());
  for (std::size_t j = 0; j < t.size(); ++j) t_host(j) = t[j];
  Model<Mem> model{Kokkos::create_mirror_view_and_copy(Mem(), t_host)};
  configure(model);
  auto const data_dev = voxflow::upload_series<Mem>(data, "voxflow::test::lm::data");
  Kokkos::View<std::uint8_t*, Mem> mask("mask", mask_values.size());
  if (!mask_values.empty()) {
    Kokkos::View<std::uint8_t*, Kokkos::HostSpace> mask_host("mask_host", mask_values.size());
    for (std::size_t v = 0; v < mask_values.size(); ++v) mask_host(v) = mask_values[v];
    Kokkos::deep_copy(mask, mask_host);
  }
  int const n = static_cast<int>(data.extent(0));
  voxflow::fit::FitOutputs<Mem> out(space, "voxflow::test::lm", n, Model<Mem>::n_params);
  voxflow::fit::fit_voxels(space, model, data_dev, Kokkos::View<std::uint8_t const*, Mem>(mask), options,
                           out);
  space.fence();
  auto host = Kokkos::HostSpace();
  return HostOutputs{Kokkos::create_mirror_view_and_copy(host, out.params),
                     Kokkos::create_mirror_view_and_copy(host, out.status),
                     Kokkos::create_mirror_view_and_copy(host, out.r2),
                     Kokkos::create_mirror_view_and_copy(host, out.sse),
                     Kokkos::create_mirror_view_and_copy(host, out.iterations)};
}

template <class ExecutionSpace, template <class> class Model>
HostOutputs fit_on(std::vector<double> const& t, HostSeries data, std::vector<std::uint8_t> const& mask = {},
                   voxflow::fit::LMOptions const& options = {}) {
  return fit_on<ExecutionSpace, Model>(t, data, mask, options, [](auto&) {});
}

struct Truth {
  double a, k, c;
};

// Curves A exp(-k t) + c for random truths, with Gaussian noise of SD noise * (A + c).
HostSeries synthesise(std::vector<double> const& t, std::vector<Truth>& truths, int n, bool offset,
                      double noise, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ua(0.5, 3.0), uk(0.1, 3.0), uc(-0.5, 1.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  HostSeries y("y", n, t.size());
  truths.clear();
  for (int v = 0; v < n; ++v) {
    Truth const tr{ua(rng), uk(rng), offset ? uc(rng) : 0.0};
    truths.push_back(tr);
    for (std::size_t j = 0; j < t.size(); ++j)
      y(v, j) = tr.a * std::exp(-tr.k * t[j]) + tr.c + noise * (tr.a + std::fabs(tr.c)) * gauss(rng);
  }
  return y;
}

double relative_error(double estimate, double truth) {
  return std::fabs(estimate - truth) / std::fabs(truth);
}

template <class ExecutionSpace>
class LevenbergMarquardt : public ::testing::Test {};
TYPED_TEST_SUITE(LevenbergMarquardt, voxflow::testing::ExecutionSpaces,
                 voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(LevenbergMarquardt, MonoExponentialRecoversTruthTo1e8OnNoiseFreeData) {
  auto const t = time_grid(40, 4.0);
  std::vector<Truth> truths;
  auto const y = synthesise(t, truths, 400, false, 0.0, 1u);
  auto const out = fit_on<TypeParam, voxflow::fit::MonoExponential>(t, y);
  for (int v = 0; v < 400; ++v) {
    ASSERT_EQ(out.status_of(v), FitStatus::converged) << "voxel " << v;
    EXPECT_LT(relative_error(out.params(v, 0), truths[v].a), 1e-8) << "voxel " << v;
    EXPECT_LT(relative_error(out.params(v, 1), truths[v].k), 1e-8) << "voxel " << v;
    EXPECT_GT(out.r2(v), 1.0 - 1e-12);
  }
}

TYPED_TEST(LevenbergMarquardt, ThreeParameterModelRecoversTruthTo1e8OnNoiseFreeData) {
  auto const t = time_grid(60, 5.0);
  std::vector<Truth> truths;
  auto const y = synthesise(t, truths, 400, true, 0.0, 2u);
  auto const out = fit_on<TypeParam, voxflow::fit::ExponentialWithOffset>(t, y);
  for (int v = 0; v < 400; ++v) {
    ASSERT_EQ(out.status_of(v), FitStatus::converged) << "voxel " << v;
    EXPECT_LT(relative_error(out.params(v, 0), truths[v].a), 1e-8) << "voxel " << v;
    EXPECT_LT(relative_error(out.params(v, 1), truths[v].k), 1e-8) << "voxel " << v;
    EXPECT_LT(relative_error(out.params(v, 2), truths[v].c), 1e-8) << "voxel " << v;
    EXPECT_LE(out.iterations(v), 20);
  }
}

TYPED_TEST(LevenbergMarquardt, NoisyDataGiveAccurateUnbiasedEstimates) {
  auto const t = time_grid(60, 5.0);
  std::vector<Truth> truths;
  int const n = 2000;
  auto const y = synthesise(t, truths, n, true, 0.01, 3u);
  auto const out = fit_on<TypeParam, voxflow::fit::ExponentialWithOffset>(t, y);
  std::vector<double> k_errors, signed_errors;
  for (int v = 0; v < n; ++v) {
    ASSERT_TRUE(voxflow::fit_status_usable(out.status_of(v))) << "voxel " << v;
    k_errors.push_back(relative_error(out.params(v, 1), truths[v].k));
    signed_errors.push_back((out.params(v, 1) - truths[v].k) / truths[v].k);
    EXPECT_GT(out.r2(v), 0.9);
  }
  std::nth_element(k_errors.begin(), k_errors.begin() + n / 2, k_errors.end());
  EXPECT_LT(k_errors[n / 2], 0.03);  // median relative error of the rate at 1 % noise
  double mean_signed = 0.0;
  for (double e : signed_errors) mean_signed += e / n;
  EXPECT_LT(std::fabs(mean_signed), 0.01);
}

TYPED_TEST(LevenbergMarquardt, BadVoxelsGetTheirStatusAndNeverStopTheOthers) {
  auto const t = time_grid(30, 3.0);
  std::vector<Truth> truths;
  auto y = synthesise(t, truths, 8, false, 0.0, 4u);
  double const nan = std::numeric_limits<double>::quiet_NaN();
  double const inf = std::numeric_limits<double>::infinity();
  y(0, 5) = nan;                                             // 0: NaN sample
  y(1, 0) = inf;                                             // 1: Inf sample
  for (std::size_t j = 0; j < t.size(); ++j) y(2, j) = 2.0;  // 2: constant curve
  for (std::size_t j = 0; j < t.size(); ++j) y(3, j) = 0.0;  // 3: all zero
  for (std::size_t j = 0; j < t.size(); ++j)
    y(4, j) = 1.5 * std::exp(-0.5 * t[j]) + 0.2;  // 4: not a model curve
  // 5, 6, 7: clean curves; 6 is masked out.
  std::vector<std::uint8_t> mask{1, 1, 1, 1, 1, 1, 0, 1};
  auto const out = fit_on<TypeParam, voxflow::fit::MonoExponential>(t, y, mask);
  EXPECT_EQ(out.status_of(0), FitStatus::non_finite_input);
  EXPECT_TRUE(std::isnan(out.params(0, 0)) && std::isnan(out.params(0, 1)));
  EXPECT_EQ(out.status_of(1), FitStatus::non_finite_input);
  EXPECT_EQ(out.status_of(2), FitStatus::flat_signal);
  EXPECT_NEAR(out.params(2, 0), 2.0, 1e-10);
  EXPECT_NEAR(out.params(2, 1), 0.0, 1e-10);
  EXPECT_EQ(out.r2(2), 0.0);
  EXPECT_EQ(out.status_of(3), FitStatus::flat_signal);
  EXPECT_NEAR(out.params(3, 0), 0.0, 1e-12);
  EXPECT_TRUE(voxflow::fit_status_usable(out.status_of(4)));
  EXPECT_GT(out.r2(4), 0.5);
  EXPECT_LT(out.r2(4), 1.0);
  EXPECT_EQ(out.status_of(6), FitStatus::masked_out);
  for (int v : {5, 7}) {
    EXPECT_EQ(out.status_of(v), FitStatus::converged);
    EXPECT_LT(relative_error(out.params(v, 1), truths[v].k), 1e-8);
  }
}

TYPED_TEST(LevenbergMarquardt, TruthOutsideTheBoundsConvergesOntoTheBound) {
  auto const t = time_grid(30, 3.0);
  HostSeries y("y", 2, t.size());
  for (std::size_t j = 0; j < t.size(); ++j) {
    y(0, j) = 2.0 * std::exp(-2.5 * t[j]);  // rate above the upper bound of 1.0
    y(1, j) = 2.0 * std::exp(+0.3 * t[j]);  // growing curve: rate below the lower bound of 0
  }
  auto const out =
      fit_on<TypeParam, voxflow::fit::MonoExponential>(t, y, {}, {}, [](auto& model) { model.hi[1] = 1.0; });
  EXPECT_EQ(out.status_of(0), FitStatus::converged_at_bound);
  EXPECT_DOUBLE_EQ(out.params(0, 1), 1.0);
  EXPECT_EQ(out.status_of(1), FitStatus::converged_at_bound);
  EXPECT_DOUBLE_EQ(out.params(1, 1), 0.0);
  for (int v = 0; v < 2; ++v) EXPECT_LE(out.iterations(v), 30);
}

TYPED_TEST(LevenbergMarquardt, IterationLimitIsReported) {
  auto const t = time_grid(40, 4.0);
  std::vector<Truth> truths;
  auto const y = synthesise(t, truths, 20, true, 0.02, 5u);
  voxflow::fit::LMOptions options;
  options.max_iterations = 1;
  auto const out = fit_on<TypeParam, voxflow::fit::ExponentialWithOffset>(t, y, {}, options);
  int limited = 0;
  for (int v = 0; v < 20; ++v) {
    EXPECT_LE(out.iterations(v), 1);
    limited += out.status_of(v) == FitStatus::max_iterations ? 1 : 0;
  }
  EXPECT_GT(limited, 10);
}

}  // namespace

namespace {

// f_j = (p^3 - 3p) t_j fitted to y = 2.5 t: from p = -1.5 the fit falls into the local minimum at p = -1
// (where p^3 - 3p peaks at 2), the global one is p ~ 2.04. Alternative starts must find it.
template <class MemorySpace>
struct CubicWithLocalMinimum {
  static constexpr int n_params = 1;
  static constexpr int n_alternative_starts = 2;
  Kokkos::View<double const*, MemorySpace> t;
  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(t.extent(0)); }
  KOKKOS_INLINE_FUNCTION double lower(int) const { return -3.0; }
  KOKKOS_INLINE_FUNCTION double upper(int) const { return 3.0; }
  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[1], Sink& sink) const {
    for (int j = 0; j < n_samples(); ++j) {
      double const df[1] = {(3 * p[0] * p[0] - 3) * t(j)};
      sink(j, (p[0] * p[0] * p[0] - 3 * p[0]) * t(j), df);
    }
    return true;
  }
  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const&, double (&p)[1]) const {
    p[0] = -1.5;
  }
  KOKKOS_INLINE_FUNCTION void alternative_start(int i, double const (&)[1], double (&p)[1]) const {
    p[0] = i == 0 ? 0.5 : 2.5;
  }
};

template <class ExecutionSpace>
class MultiStart : public ::testing::Test {};
TYPED_TEST_SUITE(MultiStart, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(MultiStart, AlternativeStartsEscapeALocalMinimum) {
  auto const t = time_grid(10, 1.0);
  HostSeries y("y", 1, t.size());
  for (std::size_t j = 0; j < t.size(); ++j) y(0, j) = 2.5 * t[j];
  auto const out = fit_on<TypeParam, CubicWithLocalMinimum>(t, y);
  double const p = out.params(0, 0);
  EXPECT_NEAR(p * p * p - 3 * p, 2.5, 1e-8);
  EXPECT_GT(p, 2.0);
  EXPECT_EQ(out.status_of(0), FitStatus::converged);
}

}  // namespace
