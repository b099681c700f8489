// The exact exponential convolution against closed-form convolutions, independent quadrature and finite
// differences, on every enabled execution space.
#include "execution_spaces.hpp"

#include <voxflow/signal/exp_convolution.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

using HostView = Kokkos::View<double*, Kokkos::HostSpace>;

struct Convolved {
  std::vector<double> f, g;
};

// Runs exp_convolve for rate k in a kernel on ExecutionSpace and returns F and dF/dk on the host.
template <class ExecutionSpace>
Convolved convolve_on(double k, std::vector<double> const& t, std::vector<double> const& c) {
  using Mem = typename ExecutionSpace::memory_space;
  int const n = static_cast<int>(t.size());
  HostView t_host("t", n), c_host("c", n);
  for (int j = 0; j < n; ++j) {
    t_host(j) = t[j];
    c_host(j) = c[j];
  }
  auto t_dev = Kokkos::create_mirror_view_and_copy(Mem(), t_host);
  auto c_dev = Kokkos::create_mirror_view_and_copy(Mem(), c_host);
  Kokkos::View<double*, Mem> f("f", n), g("g", n);
  Kokkos::parallel_for(
      "voxflow::test::exp_convolve", Kokkos::RangePolicy<ExecutionSpace>(0, 1),
      KOKKOS_LAMBDA(int) { voxflow::signal::exp_convolve(k, t_dev, c_dev, n, f, g); });
  auto f_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), f);
  auto g_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), g);
  Convolved out{std::vector<double>(n), std::vector<double>(n)};
  for (int j = 0; j < n; ++j) {
    out.f[j] = f_host(j);
    out.g[j] = g_host(j);
  }
  return out;
}

std::vector<double> uniform_grid(int n, double dt) {
  std::vector<double> t(n);
  for (int j = 0; j < n; ++j) t[j] = j * dt;
  return t;
}

// A non-uniform grid: random spacings between 0.2 and 3 time units.
std::vector<double> jittered_grid(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> spacing(0.2, 3.0);
  std::vector<double> t(n);
  t[0] = 0.7;
  for (int j = 1; j < n; ++j) t[j] = t[j - 1] + spacing(rng);
  return t;
}

// Gauss-Legendre nodes and weights on [-1, 1] by Newton iteration on P_n, in long double.
void gauss_legendre(int n, std::vector<long double>& x, std::vector<long double>& w) {
  long double const pi = 3.141592653589793238462643383279502884L;
  x.assign(n, 0.0L);
  w.assign(n, 0.0L);
  for (int i = 0; i < n; ++i) {
    long double z = std::cos(pi * (i + 0.75L) / (n + 0.5L)), dp = 0.0L;
    for (int it = 0; it < 100; ++it) {
      long double p0 = 1.0L, p1 = z;
      for (int m = 2; m <= n; ++m) {
        long double const p2 = ((2 * m - 1) * z * p1 - (m - 1) * p0) / m;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (z * p1 - p0) / (z * z - 1.0L);
      long double const dz = p1 / dp;
      z -= dz;
      if (std::fabs(dz) < 1e-19L) break;
    }
    x[i] = z;
    w[i] = 2.0L / ((1.0L - z * z) * dp * dp);
  }
}

// Reference convolution of the piecewise-linear interpolant of (t, c) by 24-point Gauss-Legendre quadrature
// on short sub-intervals in long double: independent of the recursion and accurate to ~1e-18 for these smooth
// integrands.
std::vector<long double> quadrature_reference(long double k, std::vector<double> const& t,
                                              std::vector<double> const& c) {
  std::vector<long double> x, w;
  gauss_legendre(24, x, w);
  std::size_t const n = t.size();
  std::vector<long double> out(n, 0.0L);
  for (std::size_t i = 1; i < n; ++i) {
    long double total = 0.0L;
    for (std::size_t s = 1; s <= i; ++s) {
      long double const a = t[s - 1], b = t[s];
      // Sub-intervals short enough that the exponential changes by at most e^2 over each.
      int const pieces = 1 + static_cast<int>(k * (b - a) / 2);
      for (int piece = 0; piece < pieces; ++piece) {
        long double const lo = a + (b - a) * piece / pieces, hi = a + (b - a) * (piece + 1) / pieces;
        long double const half = (hi - lo) / 2, mid = (lo + hi) / 2;
        for (std::size_t q = 0; q < x.size(); ++q) {
          long double const u = mid + half * x[q];
          long double const cu = c[s - 1] + (c[s] - c[s - 1]) * (u - a) / (b - a);
          total += half * w[q] * cu * std::exp(-k * (t[i] - u));
        }
      }
    }
    out[i] = total;
  }
  return out;
}

template <class ExecutionSpace>
class ExpConvolution : public ::testing::Test {};
TYPED_TEST_SUITE(ExpConvolution, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(ExpConvolution, RampMatchesClosedFormAndItsRateDerivative) {
  auto const t = uniform_grid(200, 0.05);
  std::vector<double> c(t);  // c(t) = t is piecewise linear: the recursion must be exact
  for (double k : {0.3, 1.7, 12.0}) {
    auto const r = convolve_on<TypeParam>(k, t, c);
    for (std::size_t j = 0; j < t.size(); ++j) {
      long double const tt = t[j], kk = k, e = std::exp(-kk * tt);
      long double const f = tt / kk - (1 - e) / (kk * kk);
      long double const g = -tt / (kk * kk) - tt * e / (kk * kk) + 2 * (1 - e) / (kk * kk * kk);
      EXPECT_NEAR(r.f[j], static_cast<double>(f), 1e-13 + 1e-12 * std::fabs(static_cast<double>(f)))
          << "k=" << k << " j=" << j;
      EXPECT_NEAR(r.g[j], static_cast<double>(g), 1e-12 + 1e-10 * std::fabs(static_cast<double>(g)))
          << "k=" << k << " j=" << j;
    }
  }
}

TYPED_TEST(ExpConvolution, ConstantInputGivesTheExponentialApproach) {
  auto const t = jittered_grid(60, 3u);
  std::vector<double> c(t.size(), 2.5);
  double const k = 0.8;
  auto const r = convolve_on<TypeParam>(k, t, c);
  for (std::size_t j = 0; j < t.size(); ++j) {
    double const expected = 2.5 * (1.0 - std::exp(-k * (t[j] - t[0]))) / k;
    EXPECT_NEAR(r.f[j], expected, 1e-12 * (1.0 + expected));
  }
}

TYPED_TEST(ExpConvolution, NonUniformGridMatchesIndependentQuadrature) {
  auto const t = jittered_grid(80, 11u);
  std::mt19937 rng(5u);
  std::uniform_real_distribution<double> value(-1.0, 4.0);
  std::vector<double> c(t.size());
  for (auto& v : c) v = value(rng);
  for (double k :
       {0.0, 0.01, 0.17, 2.0, 40.0}) {  // x = k*dt spans both the series and the closed-form branches
    auto const r = convolve_on<TypeParam>(k, t, c);
    auto const ref = quadrature_reference(k, t, c);
    double scale = 0.0;
    for (auto v : ref) scale = std::max(scale, static_cast<double>(std::fabs(v)));
    for (std::size_t j = 0; j < t.size(); ++j)
      EXPECT_NEAR(r.f[j], static_cast<double>(ref[j]), 1e-13 * scale) << "k=" << k << " j=" << j;
  }
}

TYPED_TEST(ExpConvolution, ZeroRateIsTheCumulativeTrapezoid) {
  auto const t = jittered_grid(40, 7u);
  std::vector<double> c(t.size());
  for (std::size_t j = 0; j < c.size(); ++j) c[j] = std::sin(0.3 * t[j]) + 1.0;
  auto const r = convolve_on<TypeParam>(0.0, t, c);
  double trapz = 0.0;
  for (std::size_t j = 1; j < t.size(); ++j) {
    trapz += 0.5 * (t[j] - t[j - 1]) * (c[j] + c[j - 1]);
    EXPECT_NEAR(r.f[j], trapz, 1e-13 * (1.0 + trapz));
  }
}

TYPED_TEST(ExpConvolution, RateDerivativeMatchesCentralDifferences) {
  auto const t = jittered_grid(70, 13u);
  std::vector<double> c(t.size());
  for (std::size_t j = 0; j < c.size(); ++j) c[j] = t[j] * std::exp(-0.1 * t[j]);
  for (double k : {0.02, 0.2, 0.9, 6.0}) {
    double const h = 1e-5 * k;
    auto const r = convolve_on<TypeParam>(k, t, c);
    auto const up = convolve_on<TypeParam>(k + h, t, c);
    auto const down = convolve_on<TypeParam>(k - h, t, c);
    double scale = 0.0;
    for (auto v : r.g) scale = std::max(scale, std::fabs(v));
    for (std::size_t j = 0; j < t.size(); ++j) {
      double const fd = (up.f[j] - down.f[j]) / (2 * h);
      EXPECT_NEAR(r.g[j], fd, 1e-7 * scale) << "k=" << k << " j=" << j;
    }
  }
}

}  // namespace

TEST(ExpConvolutionWeights, SeriesAndClosedFormAgreeAtTheSwitchOver) {
  double const d = 2.0;
  double const k_switch = voxflow::signal::exp_conv_series_threshold / d;
  // The series branch just below the threshold, the closed form at it: the rates differ by one ulp.
  auto const below = voxflow::signal::exp_conv_weights(std::nextafter(k_switch, 0.0), d);
  auto const above = voxflow::signal::exp_conv_weights(k_switch, d);
  EXPECT_NEAR(below.w0, above.w0, 1e-13 * std::fabs(above.w0));
  EXPECT_NEAR(below.w1, above.w1, 1e-13 * std::fabs(above.w1));
  EXPECT_NEAR(below.d_w0, above.d_w0, 1e-11 * std::fabs(above.d_w0));
  EXPECT_NEAR(below.d_w1, above.d_w1, 1e-11 * std::fabs(above.d_w1));
}

TEST(ExpConvolutionWeights, WeightsOfAZeroRateAreTheTrapezoidRule) {
  auto const w = voxflow::signal::exp_conv_weights(0.0, 3.0);
  EXPECT_DOUBLE_EQ(w.decay, 1.0);
  EXPECT_DOUBLE_EQ(w.w0, 1.5);
  EXPECT_DOUBLE_EQ(w.w1, 1.5);
  EXPECT_DOUBLE_EQ(w.d_decay, -3.0);
  EXPECT_NEAR(w.d_w0, -9.0 / 3.0, 1e-15);  // d^2 g0'(0) = d^2 * (-1/3)
  EXPECT_NEAR(w.d_w1, -9.0 / 6.0, 1e-15);  // d^2 g1'(0) = d^2 * (-1/6)
}
