// Exact convolution of a piecewise-linear input with a decaying exponential, and its derivative with respect
// to the rate, in O(T) on any (non-uniform) time grid:
//
//   F(t) = integral_{t_0}^{t} c(s) exp(-k (t - s)) ds,      G(t) = dF/dk,
//
// where c is linear between samples. Over one interval of length d (x = k d, E = exp(-x)) the recursion is
// exact:
//   F_j = E F_{j-1} + w0 c_{j-1} + w1 c_j,     w1 = d (x - 1 + E) / x^2,   w0 = d (1 - E - x E) / x^2,
//   G_j = E G_{j-1} - d E F_{j-1} + w0' c_{j-1} + w1' c_j,   w' = dw/dk = d^2 dg/dx.
// For small x the weights are evaluated from their Taylor series, where the closed forms cancel
// catastrophically. DESIGN.md §2: this replaces FFT and rectangle-rule convolutions, which are biased at
// clinical frame spacings.
#ifndef VOXFLOW_SIGNAL_EXP_CONVOLUTION_HPP
#define VOXFLOW_SIGNAL_EXP_CONVOLUTION_HPP

#include <voxflow/core/kokkos_compat.hpp>

namespace voxflow::signal {

// Weights of one interval of length d for rate k, and their derivatives with respect to k.
struct ExpConvWeights {
  double decay = 1.0;                            // E = exp(-k d)
  double w0 = 0.0;                               // weight of the sample at the start of the interval
  double w1 = 0.0;                               // weight of the sample at the end of the interval
  double d_decay = 0.0, d_w0 = 0.0, d_w1 = 0.0;  // d/dk of the three above
};

// |x| below which the series are used (the closed-form derivatives lose ~1e-16/x^3 relative accuracy).
inline constexpr double exp_conv_series_threshold = 0.5;

KOKKOS_INLINE_FUNCTION ExpConvWeights exp_conv_weights(double k, double d) {
  ExpConvWeights w;
  double const x = k * d;
  double const e = kmath::exp(-x);
  double g0, g1, dg0, dg1;  // w = d g(x), dw/dk = d^2 g'(x)
  if (kmath::fabs(x) < exp_conv_series_threshold) {
    // g1 = sum_n (-x)^n / (n+2)!,  g0 = sum_n (-x)^n (n+1) / (n+2)!; 14 terms: truncation < 1e-16 at |x| =
    // 0.5.
    constexpr int terms = 14;
    constexpr double inv_factorial[terms + 2] = {1.0,
                                                 1.0,
                                                 1.0 / 2,
                                                 1.0 / 6,
                                                 1.0 / 24,
                                                 1.0 / 120,
                                                 1.0 / 720,
                                                 1.0 / 5040,
                                                 1.0 / 40320,
                                                 1.0 / 362880,
                                                 1.0 / 3628800,
                                                 1.0 / 39916800,
                                                 1.0 / 479001600,
                                                 1.0 / 6227020800.0,
                                                 1.0 / 87178291200.0,
                                                 1.0 / 1307674368000.0};
    double xn = 1.0;   // (-x)^n
    double xn1 = 0.0;  // n (-x)^(n-1)
    g0 = g1 = dg0 = dg1 = 0.0;
    for (int n = 0; n < terms; ++n) {
      double const c = inv_factorial[n + 2];
      g1 += c * xn;
      g0 += c * (n + 1) * xn;
      dg1 -= c * xn1;  // d/dx (-x)^n = -n (-x)^(n-1)
      dg0 -= c * (n + 1) * xn1;
      xn1 = (n + 1) * xn;
      xn *= -x;
    }
  } else {
    double const ix = 1.0 / x, ix2 = ix * ix, ix3 = ix2 * ix;
    g1 = (x - 1.0 + e) * ix2;
    g0 = (1.0 - e - x * e) * ix2;
    dg1 = (2.0 - x - (x + 2.0) * e) * ix3;
    dg0 = ((x * x + 2.0 * x + 2.0) * e - 2.0) * ix3;
  }
  w.decay = e;
  w.w0 = d * g0;
  w.w1 = d * g1;
  w.d_decay = -d * e;
  w.d_w0 = d * d * dg0;
  w.d_w1 = d * d * dg1;
  return w;
}

// Running state of the recursion for one rate; weights are recomputed only when the interval length changes,
// so a uniform grid costs one exp per curve.
class ExpConvolver {
 public:
  KOKKOS_INLINE_FUNCTION explicit ExpConvolver(double k) : k_(k) {}

  // Advances over an interval of length d from input value c_prev to c_cur.
  KOKKOS_FORCEINLINE_FUNCTION void step(double d, double c_prev, double c_cur) {
    if (d != d_) {
      w_ = exp_conv_weights(k_, d);
      d_ = d;
    }
    double const f_prev = f_;
    f_ = w_.decay * f_ + w_.w0 * c_prev + w_.w1 * c_cur;
    g_ = w_.decay * g_ + w_.d_decay * f_prev + w_.d_w0 * c_prev + w_.d_w1 * c_cur;
  }

  KOKKOS_FORCEINLINE_FUNCTION double value() const { return f_; }       // F at the current sample
  KOKKOS_FORCEINLINE_FUNCTION double derivative() const { return g_; }  // dF/dk at the current sample

 private:
  double k_;
  double d_ = -1.0;
  ExpConvWeights w_;
  double f_ = 0.0, g_ = 0.0;
};

// Convolves the samples c(j) on times t(j), j < n, writing F(j) and dF/dk(j) (F(0) = 0). Any indexable types
// work: Views, raw arrays, lambdas.
template <class Times, class Input, class OutF, class OutG>
KOKKOS_INLINE_FUNCTION void exp_convolve(double k, Times const& t, Input const& c, int n, OutF&& f,
                                         OutG&& g) {
  if (n <= 0) return;
  ExpConvolver conv(k);
  f(0) = 0.0;
  g(0) = 0.0;
  for (int j = 1; j < n; ++j) {
    conv.step(t(j) - t(j - 1), c(j - 1), c(j));
    f(j) = conv.value();
    g(j) = conv.derivative();
  }
}

}  // namespace voxflow::signal

#endif
