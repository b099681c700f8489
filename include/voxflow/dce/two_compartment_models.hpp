// Two-compartment exchange (2CXM) and uptake (2CUM) models (SPEC §4.4) with exact piecewise-linear
// convolution, analytic Jacobians and an optional fitted arterial delay. Both impulse responses are
// bi-exponential,
//   R(t) = A1 exp(-k1 t) + A2 exp(-k2 t),     C(t) = A1 F_k1(t - d) + A2 F_k2(t - d),
// with (A, k) functions of the parameters evaluated in dual numbers, so the chain rule through them is exact.
//   2CXM (fp, ps, ve, vp):  k_in = fp/vp, k_pe = ps/vp, k_ep = ps/ve; k1,2 = (s +- sqrt(s^2 - 4 k_ep k_in)) /
//   2 with
//                           s = k_in + k_pe + k_ep; A1 = fp (k1 - b)/(k1 - k2), A2 = fp (b - k2)/(k1 - k2), b
//                           = k_ep + k_pe
//   2CUM (fp, ps, vp):      k1 = (fp + ps)/vp, A1 = fp^2/(fp + ps); k2 = 0, A2 = fp ps/(fp + ps)
// Flows and PS are in 1/min (DESIGN.md §5: mL/100 mL/min divided by 100). Starting values come from the
// linear forms of the second-order ODE these responses satisfy (Flouri et al., MRM 2016), integrated twice:
//   C = -(k1 + k2) I[C] - k1 k2 II[C] + (A1 + A2) I[Cp] + (A1 k2 + A2 k1) II[Cp]      (I = running integral),
// one streamed regression, mapped back to the physiological parameters.
#ifndef VOXFLOW_DCE_TWO_COMPARTMENT_MODELS_HPP
#define VOXFLOW_DCE_TWO_COMPARTMENT_MODELS_HPP

#include <voxflow/dce/dce_inputs.hpp>
#include <voxflow/fit/dual.hpp>
#include <voxflow/fit/fit_lane_packs.hpp>
#include <voxflow/fit/small_solve.hpp>

namespace voxflow::dce {

enum class CompartmentVariant { exchange, uptake };

template <class MemorySpace, CompartmentVariant Variant, bool WithDelay>
struct TwoCompartmentModel {
  static constexpr bool exchange = Variant == CompartmentVariant::exchange;
  // Parameters: fp, ps, then ve (2CXM only), then vp, then delay [s].
  static constexpr int n_kinetic = exchange ? 4 : 3;
  static constexpr int n_params = n_kinetic + (WithDelay ? 1 : 0);
  static constexpr int i_fp = 0, i_ps = 1, i_ve = 2;
  static constexpr int i_vp = exchange ? 3 : 2;
  static constexpr int i_delay = n_kinetic;
  using D = fit::Dual<n_kinetic>;

  DceInputs<MemorySpace> in;
  double lo[n_params];
  double hi[n_params];
  DelaySearch delay;

  TwoCompartmentModel() = default;
  explicit TwoCompartmentModel(DceInputs<MemorySpace> const& inputs, DelaySearch const& search = {})
      : in(inputs), delay(search) {
    lo[i_fp] = 1e-3;  // 0.1 mL/100 mL/min
    hi[i_fp] = 20.0;  // 2000 mL/100 mL/min
    lo[i_ps] = 0.0;
    hi[i_ps] = 10.0;
    if (exchange) {
      lo[i_ve] = 1e-3;
      hi[i_ve] = 1.0;
    }
    lo[i_vp] = 1e-3;
    hi[i_vp] = 1.0;
    if (WithDelay) {
      lo[i_delay] = search.lower_s;
      hi[i_delay] = search.upper_s;
    }
  }

  KOKKOS_INLINE_FUNCTION int n_samples() const { return in.n_samples(); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return lo[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return hi[i]; }

  // Amplitudes and rates of the impulse response with their partials in the kinetic parameters.
  KOKKOS_INLINE_FUNCTION bool coefficients(double const (&p)[n_params], D& a1, D& k1, D& a2, D& k2) const {
    D const fp = D::variable(p[i_fp], i_fp), ps = D::variable(p[i_ps], i_ps), vp = D::variable(p[i_vp], i_vp);
    if (!(p[i_fp] > 0.0) || !(p[i_vp] > 0.0) || p[i_ps] < 0.0) return false;
    if (exchange) {
      D const ve = D::variable(p[i_ve], i_ve);
      if (!(p[i_ve] > 0.0)) return false;
      D const k_in = fp / vp, k_pe = ps / vp, k_ep = ps / ve;
      D const s = k_in + k_pe + k_ep;
      D const disc = s * s - D(4.0) * k_ep * k_in;
      D root = sqrt(disc);
      if (!(root.v > 1e-12 * s.v))
        return false;  // equal rates: only in the limit ps -> inf, never at finite bounds
      k1 = (s + root) / D(2.0);
      k2 = (s - root) / D(2.0);
      D const b = k_ep + k_pe;
      a1 = fp * (k1 - b) / root;
      a2 = fp * (b - k2) / root;
    } else {
      D const total = fp + ps;
      k1 = total / vp;
      a1 = fp * fp / total;
      k2 = D(0.0);
      a2 = fp * ps / total;
    }
    return is_finite(a1.v) && is_finite(a2.v) && is_finite(k1.v) && is_finite(k2.v);
  }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    D a1, k1, a2, k2;
    if (!coefficients(p, a1, k1, a2, k2)) return false;
    double const shift = WithDelay ? p[i_delay] / seconds_per_minute : 0.0;
    Sink acc = sink;  // a local copy whose address never escapes keeps the accumulators in registers
    double const rates[2] = {k1.v, k2.v};
    Response<double> r;
    r.set(0, a1, k1, a2, k2);
    in.template convolve_samples<2, false>(rates, shift, [&](int j, ConvolvedSample<2> const& s) {
      double df[n_params];
      double const f = r.sample(s.f[0], s.g[0], s.f[1], s.g[1], df);
      // d/d(delay) with tau = t - delay/60: dF_k/dtau = Cp - k F_k.
      if (WithDelay)
        df[i_delay] = -(a1.v * (s.c - k1.v * s.f[0]) + a2.v * (s.c - k2.v * s.f[1])) / seconds_per_minute;
      acc(j, f, df);
    });
    sink = acc;
    return true;
  }

  // Lane packs (fit_lane_packs.hpp): the exact convolution on a uniform grid without a delay, with the
  // recursion of convolve_samples and the sample terms of evaluate().
  static constexpr bool lane_evaluation = true;
  KOKKOS_INLINE_FUNCTION bool lanes_supported() const {
    return !WithDelay && in.uniform_step > 0.0 && n_samples() >= 1;
  }
  template <int W>
  KOKKOS_INLINE_FUNCTION void evaluate_lanes(double const (&p)[W][n_params], double const* tile,
                                             fit::LaneNormalEquations<n_params, W>& ne,
                                             fit::LaneMask<W>& valid) const {
    using V = fit::LanePack<W>;
    Response<V> r;
    V decay[2], w0[2], w1[2], d_decay[2], d_w0[2], d_w1[2];
    for (int l = 0; l < W; ++l) {  // per lane, as evaluate() does per voxel
      D a1, k1, a2, k2;
      valid.on[l] = coefficients(p[l], a1, k1, a2, k2);
      if (!valid.on[l]) {  // finite stand-ins; the lane's result is discarded
        a1 = a2 = D(0.0);
        k1 = k2 = D(1.0);
      }
      r.set(l, a1, k1, a2, k2);
      double const rates[2] = {k1.v, k2.v};
      for (int q = 0; q < 2; ++q) {
        signal::ExpConvWeights const w = signal::exp_conv_weights(rates[q], in.uniform_step);
        decay[q].set(l, w.decay);
        w0[q].set(l, w.w0);
        w1[q].set(l, w.w1);
        d_decay[q].set(l, w.d_decay);
        d_w0[q].set(l, w.d_w0);
        d_w1[q].set(l, w.d_w1);
      }
    }
    int const n = n_samples();
    V f[2] = {0.0, 0.0}, g[2] = {0.0, 0.0}, df[n_params];
    double c_prev = in.ca(0);
    ne.add(V::load(tile), r.sample(f[0], g[0], f[1], g[1], df), df);
    for (int j = 1; j < n; ++j) {
      V const c(in.ca(j)), cp(c_prev);
      for (int q = 0; q < 2; ++q) {
        V const f_prev = f[q];
        f[q] = decay[q] * f_prev + w0[q] * cp + w1[q] * c;
        g[q] = decay[q] * g[q] + d_decay[q] * f_prev + d_w0[q] * cp + d_w1[q] * c;
      }
      c_prev = in.ca(j);
      ne.add(V::load(tile + j * W), r.sample(f[0], g[0], f[1], g[1], df), df);
    }
  }

  // initial_guess() of a lane pack (no delay): the regression of linearised() with the lanes' sums
  // accumulated at once; the AIF integrals are the same for every lane.
  template <int W>
  KOKKOS_INLINE_FUNCTION void initial_guess_lanes(double const* tile, fit::LaneMask<W> const& lanes,
                                                  double (&p)[W][n_params]) const {
    using V = fit::LanePack<W>;
    V ic = 0.0, iic = 0.0;
    double iicp = 0.0, icp_prev = 0.0;
    fit::LinearRegression<n_kinetic, V> reg;
    double const rates[1] = {0.0};
    in.template convolve_samples<1, false>(rates, 0.0, [&](int j, ConvolvedSample<1> const& s) {
      double const icp = s.f[0];
      V const yj = V::load(tile + j * W);
      if (j > 0) {
        double const dt = in.t(j) - in.t(j - 1);
        V const ic_prev = ic;
        ic += 0.5 * dt * (yj + V::load(tile + (j - 1) * W));
        iic += 0.5 * dt * (ic + ic_prev);
        iicp += 0.5 * dt * (icp + icp_prev);
      }
      icp_prev = icp;
      if constexpr (exchange) {
        V const x[n_kinetic] = {ic, iic, icp, iicp};
        reg.add(x, yj);
      } else {
        V const x[n_kinetic] = {icp, ic, iicp};
        reg.add(x, yj);
      }
    });
    for (int l = 0; l < W; ++l) {
      if (!lanes.on[l]) continue;
      from_regression(reg.lane(l), 0.0, p[l]);
    }
  }

  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const& y, double (&p)[n_params]) const {
    if (!WithDelay) {
      linearised(y, 0.0, p);
      return;
    }
    best_delay_start(
        *this, y, delay, [&](Curve const& curve, double d, double(&q)[n_params]) { linearised(curve, d, q); },
        p);
  }

  // Alternative starts spanning fast/slow flow, low/high permeability and small/large volumes (the 2CXM and
  // 2CUM cost surfaces have separate minima where one compartment is nearly invisible); the delay of the
  // first fit is kept.
  static constexpr int n_alternative_starts = 6;
  KOKKOS_INLINE_FUNCTION void alternative_start(int i, double const (&first_fit)[n_params],
                                                double (&p)[n_params]) const {
    constexpr double fp[n_alternative_starts] = {0.1, 0.6, 0.1, 0.6, 0.3, 0.05};
    constexpr double ps[n_alternative_starts] = {0.02, 0.02, 0.2, 0.2, 0.1, 0.01};
    constexpr double ve[n_alternative_starts] = {0.1, 0.4, 0.4, 0.1, 0.2, 0.3};
    constexpr double vp[n_alternative_starts] = {0.02, 0.1, 0.05, 0.02, 0.05, 0.1};
    p[i_fp] = fp[i];
    p[i_ps] = ps[i];
    if (exchange) p[i_ve] = ve[i];
    p[i_vp] = vp[i];
    if (WithDelay) p[i_delay] = first_fit[i_delay];
    fit::clamp_to_bounds(*this, p);
  }

 private:
  // The impulse response's amplitudes and rates with their partials, as values (V = double for one voxel, a
  // LanePack for a pack), and the model at one sample from F_k1, dF_k1/dk, F_k2, dF_k2/dk there.
  template <class V>
  struct Response {
    V a1, k1, a2, k2;
    V da1[n_kinetic], dk1[n_kinetic], da2[n_kinetic], dk2[n_kinetic];

    KOKKOS_INLINE_FUNCTION void set(int lane, D const& a1_, D const& k1_, D const& a2_, D const& k2_) {
      put(a1, lane, a1_.v);
      put(k1, lane, k1_.v);
      put(a2, lane, a2_.v);
      put(k2, lane, k2_.v);
      for (int a = 0; a < n_kinetic; ++a) {
        put(da1[a], lane, a1_.d[a]);
        put(dk1[a], lane, k1_.d[a]);
        put(da2[a], lane, a2_.d[a]);
        put(dk2[a], lane, k2_.d[a]);
      }
    }
    KOKKOS_FORCEINLINE_FUNCTION static void put(double& x, int, double v) { x = v; }
    template <class Pack>
    KOKKOS_FORCEINLINE_FUNCTION static void put(Pack& x, int lane, double v) {
      x.set(lane, v);
    }

    KOKKOS_FORCEINLINE_FUNCTION V sample(V f1, V g1, V f2, V g2, V (&df)[n_params]) const {
      for (int a = 0; a < n_kinetic; ++a)
        df[a] = da1[a] * f1 + a1 * g1 * dk1[a] + da2[a] * f2 + a2 * g2 * dk2[a];
      return a1 * f1 + a2 * f2;
    }
  };

  // Default start for a curve the regression cannot explain: a mid-range tissue.
  KOKKOS_INLINE_FUNCTION void fallback(double (&p)[n_params]) const {
    p[i_fp] = 0.2;
    p[i_ps] = 0.05;
    if (exchange) p[i_ve] = 0.2;
    p[i_vp] = 0.05;
  }

  template <class Curve>
  KOKKOS_INLINE_FUNCTION void linearised(Curve const& y, double delay_s, double (&p)[n_params]) const {
    // Regressors: I[C], II[C], I[Cp], II[Cp] (2CXM) or I[Cp], I[C], II[Cp] (2CUM); running trapezoid
    // integrals.
    double ic = 0.0, iic = 0.0, iicp = 0.0, icp_prev = 0.0;
    fit::LinearRegression<n_kinetic> reg;
    double const rates[1] = {0.0};  // F_0 = running integral of the AIF
    in.template convolve_samples<1, false>(rates, delay_s / seconds_per_minute,
                                           [&](int j, ConvolvedSample<1> const& s) {
                                             double const icp = s.f[0];
                                             if (j > 0) {
                                               double const dt = in.t(j) - in.t(j - 1);
                                               double const ic_prev = ic;
                                               ic += 0.5 * dt * (y(j) + y(j - 1));
                                               iic += 0.5 * dt * (ic + ic_prev);
                                               iicp += 0.5 * dt * (icp + icp_prev);
                                             }
                                             icp_prev = icp;
                                             if constexpr (exchange) {
                                               double const x[n_kinetic] = {ic, iic, icp, iicp};
                                               reg.add(x, y(j));
                                             } else {
                                               double const x[n_kinetic] = {icp, ic, iicp};
                                               reg.add(x, y(j));
                                             }
                                           });
    from_regression(reg, delay_s, p);
  }

  // Starting values from the accumulated regression of linearised(), within the bounds.
  KOKKOS_INLINE_FUNCTION void from_regression(fit::LinearRegression<n_kinetic> const& reg, double delay_s,
                                              double (&p)[n_params]) const {
    fallback(p);
    double beta[n_kinetic];
    if (reg.solve(beta)) {
      if constexpr (exchange)
        from_exchange_regression(beta, p);
      else
        from_uptake_regression(beta, p);
    }
    for (int i = 0; i < n_kinetic; ++i)
      if (!is_finite(p[i])) fallback(p);
    if (WithDelay) p[i_delay] = delay_s;
    fit::clamp_to_bounds(*this, p);
  }

  // C = b0 I[C] + b1 II[C] + b2 I[Cp] + b3 II[Cp]:  k1 + k2 = -b0, k1 k2 = -b1, fp = b2, fp (k_ep + k_pe) =
  // b3.
  KOKKOS_INLINE_FUNCTION void from_exchange_regression(double const (&b)[n_kinetic],
                                                       double (&p)[n_params]) const {
    double const sum = -b[0], product = -b[1], fp = b[2];
    if (!(fp > 0.0) || !(sum > 0.0) || !(product > 0.0)) return;
    double const kb = b[3] / fp;  // k_ep + k_pe
    double const k_in = sum - kb;
    if (!(k_in > 0.0)) return;
    double const k_ep = product / k_in;
    double const k_pe = kb - k_ep;
    if (!(k_ep > 0.0) || !(k_pe >= 0.0)) return;
    double const vp = fp / k_in, ps = k_pe * vp;
    p[i_fp] = fp;
    p[i_vp] = vp;
    p[i_ps] = ps;
    p[i_ve] = ps > 0.0 ? ps / k_ep : 0.1;
  }

  // C = fp I[Cp] - I[C]/Tp + (fp E/Tp) II[Cp].
  KOKKOS_INLINE_FUNCTION void from_uptake_regression(double const (&b)[n_kinetic],
                                                     double (&p)[n_params]) const {
    double const fp = b[0];
    if (!(fp > 0.0) || !(b[1] < 0.0)) return;
    double const tp = -1.0 / b[1];
    double extraction = b[2] * tp / fp;
    extraction = clamp_to(extraction, 0.0, 0.99);
    double const ps = extraction * fp / (1.0 - extraction);
    p[i_fp] = fp;
    p[i_ps] = ps;
    p[i_vp] = tp * (fp + ps);
  }
};

template <class MemorySpace, bool WithDelay = false>
using TwoCompartmentExchangeModel = TwoCompartmentModel<MemorySpace, CompartmentVariant::exchange, WithDelay>;
template <class MemorySpace, bool WithDelay = false>
using TwoCompartmentUptakeModel = TwoCompartmentModel<MemorySpace, CompartmentVariant::uptake, WithDelay>;

}  // namespace voxflow::dce

#endif
