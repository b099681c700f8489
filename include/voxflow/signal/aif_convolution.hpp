// Exact convolution of a piecewise-linear arterial input function with exp(-k t), evaluated at arbitrary
// increasing query times — the tissue sample times shifted by an arterial delay. The AIF is zero before its
// first sample, linear between samples and constant after its last one. Because the convolution commutes with
// shifts, a delayed AIF is handled exactly by evaluating at t - delay: no resampling, and the delay
// derivative is analytic,
//   dF/dtau = c(tau) - k F(tau).
// Full AIF intervals use the recursion of exp_convolution.hpp; the partial interval up to a query time uses
// the same exact weights for its shorter length. On a uniform grid both lengths repeat, so a curve costs two
// exps.
#ifndef VOXFLOW_SIGNAL_AIF_CONVOLUTION_HPP
#define VOXFLOW_SIGNAL_AIF_CONVOLUTION_HPP

#include <voxflow/signal/exp_convolution.hpp>

namespace voxflow::signal {

// Cached weights for one interval length. Lengths that agree to 1e-11 relative share weights: sample times
// converted from seconds to minutes differ in their last bits, and recomputing an exp per step for that would
// cost a factor of several in speed while changing the result by less than 1e-11 relative.
struct CachedWeights {
  double length = -1.0;
  ExpConvWeights w;
  KOKKOS_FORCEINLINE_FUNCTION ExpConvWeights const& get(double k, double d) {
    if (kmath::fabs(d - length) > 1e-11 * d) {
      w = exp_conv_weights(k, d);
      length = d;
    }
    return w;
  }
};

// Walks increasing query times through an AIF (times ta, values ca, n samples) for one rate k.
template <class Times, class Values>
class AifConvolution {
 public:
  AifConvolution() = default;
  KOKKOS_INLINE_FUNCTION AifConvolution(Times const& ta, Values const& ca, int n, double k)
      : ta_(ta), ca_(ca), n_(n), k_(k) {}

  // Moves to query time tau, which must not decrease between calls.
  KOKKOS_FORCEINLINE_FUNCTION void seek(double tau) {
    if (n_ <= 0 || tau < ta_(0)) {
      value_ = derivative_ = input_ = 0.0;
      return;
    }
    if (knot_ < 0) {
      knot_ = 0;
      f_ = g_ = 0.0;
    }
    while (knot_ + 1 < n_ && ta_(knot_ + 1) <= tau) {
      ExpConvWeights const& w = full_.get(k_, ta_(knot_ + 1) - ta_(knot_));
      double const c0 = ca_(knot_), c1 = ca_(knot_ + 1);
      double const f_prev = f_;
      f_ = w.decay * f_ + w.w0 * c0 + w.w1 * c1;
      g_ = w.decay * g_ + w.d_decay * f_prev + w.d_w0 * c0 + w.d_w1 * c1;
      ++knot_;
    }
    double const c0 = ca_(knot_);
    double const s = tau - ta_(knot_);
    if (s <= 0.0 || knot_ + 1 >= n_) {  // on a knot, or past the last sample where the AIF stays constant
      input_ = c0;
      if (s <= 0.0) {
        value_ = f_;
        derivative_ = g_;
        return;
      }
    } else {
      input_ = c0 + (ca_(knot_ + 1) - c0) * (s / (ta_(knot_ + 1) - ta_(knot_)));
    }
    ExpConvWeights const& w = partial_.get(k_, s);
    value_ = w.decay * f_ + w.w0 * c0 + w.w1 * input_;
    derivative_ = w.decay * g_ + w.d_decay * f_ + w.d_w0 * c0 + w.d_w1 * input_;
  }

  KOKKOS_FORCEINLINE_FUNCTION double value() const { return value_; }            // F(tau)
  KOKKOS_FORCEINLINE_FUNCTION double derivative() const { return derivative_; }  // dF/dk at tau
  KOKKOS_FORCEINLINE_FUNCTION double input() const { return input_; }            // c(tau)
  // dc/dtau at tau (right derivative; 0 outside the AIF): computed on demand, only delay derivatives need it.
  KOKKOS_FORCEINLINE_FUNCTION double input_slope() const {
    if (knot_ < 0 || knot_ + 1 >= n_) return 0.0;
    return (ca_(knot_ + 1) - ca_(knot_)) / (ta_(knot_ + 1) - ta_(knot_));
  }
  KOKKOS_FORCEINLINE_FUNCTION double time_derivative() const { return input_ - k_ * value_; }  // dF/dtau

 private:
  Times ta_;
  Values ca_;
  int n_ = 0;
  double k_ = 0.0;
  int knot_ = -1;
  double f_ = 0.0, g_ = 0.0;
  double value_ = 0.0, derivative_ = 0.0, input_ = 0.0;
  CachedWeights full_, partial_;
};

}  // namespace voxflow::signal

#endif
