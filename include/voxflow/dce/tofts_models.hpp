// Tofts, extended Tofts and Patlak models (SPEC §4.4) with exact piecewise-linear convolution, analytic
// Jacobians and an optional fitted arterial delay:
//   Tofts           C(t) = Ktrans F_kep(t - d),                 kep = Ktrans / ve
//   extended Tofts  C(t) = Ktrans F_kep(t - d) + vp Cp(t - d)
//   Patlak          C(t) = Ktrans F_0(t - d)   + vp Cp(t - d)   (F_0 = running integral of Cp)
// where F_k is the convolution of the plasma AIF with exp(-k t). Starting values come from the integral
// linearisation of Murase (2004), one streamed regression per candidate delay; PERF-LIMIT.md measured that
// this halves the LM iterations of a fixed start.
#ifndef VOXFLOW_DCE_TOFTS_MODELS_HPP
#define VOXFLOW_DCE_TOFTS_MODELS_HPP

#include <voxflow/core/enum_names.hpp>
#include <voxflow/dce/dce_inputs.hpp>
#include <voxflow/dce/delay_start_table.hpp>
#include <voxflow/dce/padded_aif.hpp>
#include <voxflow/fit/fit_lane_packs.hpp>
#include <voxflow/fit/levenberg_marquardt.hpp>
#include <voxflow/fit/small_solve.hpp>

#include <type_traits>

namespace voxflow::dce {

enum class ToftsVariant { tofts, extended_tofts, patlak };

// How the Tofts convolution is discretised: exact (default) or osipy's rectangle rule including both end
// samples with the impulse response sampled on the AIF grid (SPEC §11; only for parity with osipy, uniform
// grids only).
enum class ToftsConvolution { exact, osipy_compatible };
inline constexpr EnumTable<ToftsConvolution, 2> tofts_convolution_names{
    {{ToftsConvolution::exact, "exact"}, {ToftsConvolution::osipy_compatible, "osipy_compatible"}}};

template <class MemorySpace, ToftsVariant Variant, bool WithDelay>
struct ToftsFamilyModel {
  // Parameters: Ktrans [1/min], then ve (Tofts, extended Tofts), then vp (extended Tofts, Patlak), then delay
  // [s].
  static constexpr bool has_ve = Variant != ToftsVariant::patlak;
  static constexpr bool has_vp = Variant != ToftsVariant::tofts;
  static constexpr int n_kinetic = 1 + (has_ve ? 1 : 0) + (has_vp ? 1 : 0);
  static constexpr int n_params = n_kinetic + (WithDelay ? 1 : 0);
  static constexpr int i_ve = 1;
  static constexpr int i_vp = has_ve ? 2 : 1;
  static constexpr int i_delay = n_kinetic;
  // The delay derivative's unit change, a multiply rather than a division (vector divisions are slow).
  static constexpr double minutes_per_second = 1.0 / seconds_per_minute;

  DceInputs<MemorySpace> in;
  double lo[n_params];
  double hi[n_params];
  DelaySearch delay;
  ToftsConvolution convolution = ToftsConvolution::exact;
  // Delay fits: the subject's delayed-AIF terms of the delay search (use_delay_start_table), or empty.
  DelayStartTable<MemorySpace> delay_starts;
  // Delay fits in lane packs: the AIF padded for each lane's own shift (host spaces, uniform grids), or
  // empty.
  PaddedAif<MemorySpace> lane_aif;

  ToftsFamilyModel() = default;
  explicit ToftsFamilyModel(DceInputs<MemorySpace> const& inputs, DelaySearch const& search = {})
      : in(inputs), delay(search) {
    lo[0] = 0.0;
    hi[0] = 5.0;
    if (has_ve) {
      lo[i_ve] = 1e-3;
      hi[i_ve] = 1.0;
    }
    if (has_vp) {
      lo[i_vp] = 0.0;
      hi[i_vp] = 1.0;
    }
    if (WithDelay) {
      lo[i_delay] = search.lower_s;
      hi[i_delay] = search.upper_s;
    }
  }

  KOKKOS_INLINE_FUNCTION int n_samples() const { return in.n_samples(); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return lo[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return hi[i]; }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    double const ktrans = p[0];
    double const ve = has_ve ? p[i_ve] : 1.0;
    double const vp = has_vp ? p[i_vp] : 0.0;
    double const shift = WithDelay ? p[i_delay] / seconds_per_minute : 0.0;
    if (!(ve > 0.0)) return false;
    double const kep = has_ve ? ktrans / ve : 0.0;
    if (convolution == ToftsConvolution::osipy_compatible && !WithDelay)
      return evaluate_osipy(ktrans, ve, vp, kep, sink);
    Sink acc = sink;  // a local copy whose address never escapes keeps the accumulators in registers
    // Chain-rule factors of dF/dkep, hoisted out of the time loop: dkep/dKtrans = 1/ve, dkep/dve = -kep/ve.
    double const g_to_ktrans = has_ve ? ktrans / ve : 0.0;
    double const g_to_ve = -ktrans * kep / ve;
    double const rates[1] = {kep};
    in.template convolve_samples<1, WithDelay>(rates, shift, [&](int j, ConvolvedSample<1> const& s) {
      double df[n_params];
      double const f = kinetic_sample(ktrans, vp, g_to_ktrans, g_to_ve, s.f[0], s.g[0], s.c, df);
      // d/d(delay) with tau = t - delay/60: dF/dtau = Cp - kep F.
      if (WithDelay) df[i_delay] = -(ktrans * (s.c - kep * s.f[0]) + vp * s.slope) * minutes_per_second;
      acc(j, f, df);
    });
    sink = acc;
    return true;
  }

  // Lane packs (fit_lane_packs.hpp): the exact convolution on a uniform grid, the fast path of
  // convolve_samples, with the same recursion and the same sample terms as evaluate(). A fitted delay also
  // needs the subject's delay table and padded AIF, and bounds that keep every shift inside the padding.
  static constexpr bool lane_evaluation = true;
  KOKKOS_INLINE_FUNCTION bool lanes_supported() const {
    if (convolution != ToftsConvolution::exact || !(in.uniform_step > 0.0) || n_samples() < 1) return false;
    if constexpr (WithDelay) {
      double const widest_s = kmath::fabs(lo[i_delay]) > kmath::fabs(hi[i_delay]) ? kmath::fabs(lo[i_delay])
                                                                                  : kmath::fabs(hi[i_delay]);
      return delay_starts.candidates() > 0 && !lane_aif.empty() &&
             widest_s / seconds_per_minute / in.uniform_step < n_samples() - 1;
    }
    return true;
  }
  template <int W>
  KOKKOS_INLINE_FUNCTION void evaluate_lanes(double const (&p)[W][n_params], double const* tile,
                                             fit::LaneNormalEquations<n_params, W>& ne,
                                             fit::LaneMask<W>& valid) const {
    if constexpr (WithDelay)
      evaluate_delayed_lanes<W>(p, tile, ne, valid);
    else
      evaluate_undelayed_lanes<W>(p, tile, ne, valid);
  }

  // Starting values: Murase's linearisation C = (Ktrans + kep vp) I - kep J + vp Cp, with I the running
  // integral of the (delayed) AIF and J that of the tissue curve, for each candidate delay. With the
  // subject's delay table the candidate whose regression leaves the smallest residual wins (no model pass per
  // candidate); a model without the table scores each candidate's parameters by the model curve.
  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const& y, double (&p)[n_params]) const {
    if (!WithDelay) {
      linearised(y, 0.0, p);
      return;
    }
    if (delay_starts.candidates() > 0) {
      tabulated_delay_start(y, p);
      return;
    }
    best_delay_start(
        *this, y, delay, [&](Curve const& curve, double d, double(&q)[n_params]) { linearised(curve, d, q); },
        p);
  }

  // initial_guess() of a lane pack: the regression of linearised() with the lanes' sums accumulated at once
  // (the AIF terms are the same for every lane), or with a delay the pack's tabulated search.
  template <int W>
  KOKKOS_INLINE_FUNCTION void initial_guess_lanes(double const* tile, fit::LaneMask<W> const& lanes,
                                                  double (&p)[W][n_params]) const {
    if constexpr (WithDelay)
      tabulated_delay_start_lanes<W>(tile, lanes, p);
    else
      undelayed_initial_guess_lanes<W>(tile, lanes, p);
  }

  // Patlak without a delay is linear in (Ktrans, vp): one regression pass gives the exact least-squares fit,
  // with the residual from the accumulated sums. Only a solution outside the bounds (or a non-finite curve)
  // needs LM.
  static constexpr bool linear = Variant == ToftsVariant::patlak && !WithDelay;
  template <class Curve, bool Linear = linear>
  KOKKOS_INLINE_FUNCTION std::enable_if_t<Linear, bool> linear_solution(Curve const& y, double (&p)[n_params],
                                                                        fit::LMResult& result) const {
    LinearSums<double> sums(y(0));
    double const rates[1] = {0.0};
    in.template convolve_samples<1, false>(rates, 0.0,
                                           [&](int j, ConvolvedSample<1> const& s) { sums.add(s, y(j)); });
    return solution_from(sums, p, result);
  }

  // linear_solution() of a lane pack (lanes_supported()): the lanes' sums accumulated at once, the AIF terms
  // and their recursion shared by the lanes; each lane's arithmetic is the scalar one. solved.on[l]: lane l
  // has its exact solution in p[l] and result[l]; the others need LM.
  static constexpr bool lane_linear_solution = linear;
  template <int W, bool Linear = linear>
  KOKKOS_INLINE_FUNCTION std::enable_if_t<Linear> linear_solution_lanes(double const* tile,
                                                                        fit::LaneMask<W> const& lanes,
                                                                        double (&p)[W][n_params],
                                                                        fit::LMResult (&result)[W],
                                                                        fit::LaneMask<W>& solved) const {
    using V = fit::LanePack<W>;
    LinearSums<V> sums(V::load(tile));
    double const rates[1] = {0.0};
    in.template convolve_samples<1, false>(
        rates, 0.0, [&](int j, ConvolvedSample<1> const& s) { sums.add(s, V::load(tile + j * W)); });
    for (int l = 0; l < W; ++l) solved.on[l] = lanes.on[l] && solution_from(sums.lane(l), p[l], result[l]);
  }

 private:
  // evaluate_lanes() without a delay.
  template <int W>
  KOKKOS_INLINE_FUNCTION void evaluate_undelayed_lanes(double const (&p)[W][n_params], double const* tile,
                                                       fit::LaneNormalEquations<n_params, W>& ne,
                                                       fit::LaneMask<W>& valid) const {
    using V = fit::LanePack<W>;
    V ktrans, vp, g_to_ktrans, g_to_ve, decay, w0, w1, d_decay, d_w0, d_w1;
    for (int l = 0; l < W; ++l) {  // per lane, as evaluate() does per voxel
      double kt = p[l][0];
      double ve = has_ve ? p[l][i_ve] : 1.0;
      double v_p = has_vp ? p[l][i_vp] : 0.0;
      valid.on[l] = ve > 0.0;
      if (!valid.on[l]) kt = 0.0, ve = 1.0, v_p = 0.0;  // finite stand-ins; the lane's result is discarded
      double const kep = has_ve ? kt / ve : 0.0;
      signal::ExpConvWeights const w = signal::exp_conv_weights(kep, in.uniform_step);
      ktrans.set(l, kt);
      vp.set(l, v_p);
      g_to_ktrans.set(l, has_ve ? kt / ve : 0.0);
      g_to_ve.set(l, -kt * kep / ve);
      decay.set(l, w.decay);
      w0.set(l, w.w0);
      w1.set(l, w.w1);
      d_decay.set(l, w.d_decay);
      d_w0.set(l, w.d_w0);
      d_w1.set(l, w.d_w1);
    }
    int const n = n_samples();
    V f(0.0), g(0.0), df[n_params];
    double c_prev = in.ca(0);
    ne.add(V::load(tile), kinetic_sample(ktrans, vp, g_to_ktrans, g_to_ve, f, g, V(c_prev), df), df);
    for (int j = 1; j < n; ++j) {
      V const c(in.ca(j)), cp(c_prev);
      V const f_prev = f;
      f = decay * f_prev + w0 * cp + w1 * c;
      g = decay * g + d_decay * f_prev + d_w0 * cp + d_w1 * c;
      c_prev = in.ca(j);
      ne.add(V::load(tile + j * W), kinetic_sample(ktrans, vp, g_to_ktrans, g_to_ve, f, g, c, df), df);
    }
  }

  // evaluate_lanes() with a fitted delay: convolve_samples' uniform walk per lane, each lane reading the AIF
  // at its own knot offset from the padded copy. The lanes step together from the knot of the lane whose AIF
  // runs furthest ahead; the others meanwhile step over zeros before their AIF, which leaves them at zero.
  template <int W>
  KOKKOS_INLINE_FUNCTION void evaluate_delayed_lanes(double const (&p)[W][n_params], double const* tile,
                                                     fit::LaneNormalEquations<n_params, W>& ne,
                                                     fit::LaneMask<W>& valid) const {
    using V = fit::LanePack<W>;
    int const n = n_samples();
    V ktrans, vp, kep, g_to_ktrans, g_to_ve, fraction;
    V decay, w0, w1, d_decay, d_w0, d_w1;              // a whole interval
    V p_decay, p_w0, p_w1, p_d_decay, p_d_w0, p_d_w1;  // the fraction of one the shift leaves
    int knot[W];                                       // each lane's AIF knot at the first step
    int ahead = 0;
    for (int l = 0; l < W; ++l) {  // per lane, as evaluate() and convolve_samples() do per voxel
      double kt = p[l][0];
      double ve = has_ve ? p[l][i_ve] : 1.0;
      double v_p = has_vp ? p[l][i_vp] : 0.0;
      double frames = -(p[l][i_delay] / seconds_per_minute) / in.uniform_step;
      valid.on[l] = ve > 0.0 && kmath::fabs(frames) < n;  // a shift off the padding only comes from a NaN
      if (!valid.on[l]) kt = 0.0, ve = 1.0, v_p = 0.0, frames = 0.0;  // finite stand-ins, discarded
      double const q = kmath::floor(frames);
      double const kep_l = has_ve ? kt / ve : 0.0;
      signal::ExpConvWeights const w = signal::exp_conv_weights(kep_l, in.uniform_step);
      // On a knot the partial weights are the identity (decay 1, no input), as convolve_samples' on-knot
      // case.
      signal::ExpConvWeights const part =
          frames == q ? signal::ExpConvWeights{}
                      : signal::exp_conv_weights(kep_l, (frames - q) * in.uniform_step);
      ktrans.set(l, kt);
      vp.set(l, v_p);
      kep.set(l, kep_l);
      g_to_ktrans.set(l, has_ve ? kt / ve : 0.0);
      g_to_ve.set(l, -kt * kep_l / ve);
      fraction.set(l, frames - q);
      decay.set(l, w.decay);
      w0.set(l, w.w0);
      w1.set(l, w.w1);
      d_decay.set(l, w.d_decay);
      d_w0.set(l, w.d_w0);
      d_w1.set(l, w.d_w1);
      p_decay.set(l, part.decay);
      p_w0.set(l, part.w0);
      p_w1.set(l, part.w1);
      p_d_decay.set(l, part.d_decay);
      p_d_w0.set(l, part.d_w0);
      p_d_w1.set(l, part.d_w1);
      knot[l] = static_cast<int>(q);
      if (knot[l] > ahead) ahead = knot[l];
    }
    for (int l = 0; l < W; ++l) knot[l] -= ahead;
    double const per_step = 1.0 / in.uniform_step;  // as convolve_samples' slope
    double const* const starts = lane_aif.starts();
    double const* const ends = lane_aif.interval_ends();
    V f(0.0), g(0.0), c0, c1;
    auto const next_interval = [&] {  // the lanes' AIF values at both ends of their current interval
      c0 = V::gather(starts, knot);
      c1 = V::gather(ends, knot);
      for (int l = 0; l < W; ++l) ++knot[l];
    };
    auto const step = [&] {
      V const f_prev = f;
      f = decay * f_prev + w0 * c0 + w1 * c1;
      g = decay * g + d_decay * f_prev + d_w0 * c0 + d_w1 * c1;
    };
    for (int j = -ahead; j < 0; ++j) next_interval(), step();
    for (int j = 0; j < n; ++j) {
      next_interval();
      V const c = c0 + (c1 - c0) * fraction;
      V const fs = p_decay * f + p_w0 * c0 + p_w1 * c;
      V const gs = p_decay * g + p_d_decay * f + p_d_w0 * c0 + p_d_w1 * c;
      V df[n_params];
      V const model = kinetic_sample(ktrans, vp, g_to_ktrans, g_to_ve, fs, gs, c, df);
      V const slope = (c1 - c0) * per_step;
      df[i_delay] = -(ktrans * (c - kep * fs) + vp * slope) * minutes_per_second;
      ne.add(V::load(tile + j * W), model, df);
      step();
    }
  }

  // initial_guess_lanes() without a delay.
  template <int W>
  KOKKOS_INLINE_FUNCTION void undelayed_initial_guess_lanes(double const* tile, fit::LaneMask<W> const& lanes,
                                                            double (&p)[W][n_params]) const {
    using V = fit::LanePack<W>;
    constexpr int K = n_kinetic;
    fit::LinearRegression<K, V> reg;
    V tissue_integral = 0.0;
    double const rates[1] = {0.0};
    in.template convolve_samples<1, false>(rates, 0.0, [&](int j, ConvolvedSample<1> const& s) {
      V const yj = V::load(tile + j * W);
      if (j > 0) tissue_integral += 0.5 * (in.t(j) - in.t(j - 1)) * (yj + V::load(tile + (j - 1) * W));
      V x[K];
      x[0] = s.f[0];
      if (has_ve) x[i_ve] = -tissue_integral;
      if (has_vp) x[i_vp] = s.c;
      reg.add(x, yj);
    });
    for (int l = 0; l < W; ++l) {
      if (!lanes.on[l]) continue;
      double beta[K] = {};
      bool const ok = reg.lane(l).solve(beta);
      parameters_from(beta, ok, 0.0, p[l]);
    }
  }

  // The sums of linear_solution(): the regression of the curve on (F_0, Cp) and the curve's moments (for
  // R²), of one voxel (V = double) or a lane pack.
  template <class V>
  struct LinearSums {
    fit::LinearRegression<2, V> reg;
    fit::CurveMoments<V> moments;

    KOKKOS_FORCEINLINE_FUNCTION explicit LinearSums(V first) : moments(first) {}

    KOKKOS_FORCEINLINE_FUNCTION void add(ConvolvedSample<1> const& s, V v) {
      V const x[2] = {V(s.f[0]), V(s.c)};
      reg.add(x, v);
      moments.add(v);
    }

    KOKKOS_INLINE_FUNCTION LinearSums<double> lane(int l) const {
      LinearSums<double> one(moments.y0[l]);
      one.reg = reg.lane(l);
      one.moments = moments.lane(l);
      return one;
    }
  };

  // The exact solution from one voxel's sums, or false where LM must take over (a non-finite curve, a
  // solution on or outside the bounds).
  KOKKOS_INLINE_FUNCTION bool solution_from(LinearSums<double> const& sums, double (&p)[n_params],
                                            fit::LMResult& result) const {
    fit::CurveStats const stats = sums.moments.stats(n_samples());
    double beta[2];
    if (!stats.finite || !sums.reg.solve(beta)) return false;
    for (int i = 0; i < 2; ++i)
      if (!is_finite(beta[i]) || beta[i] <= lo[i] || beta[i] >= hi[i]) return false;
    p[0] = beta[0];
    p[1] = beta[1];
    double const sst = stats.sst;
    result.sse = sums.reg.residual(beta);
    result.iterations = 0;
    result.status = sst > 0.0 ? FitStatus::converged : FitStatus::flat_signal;
    result.r2 = sst > 0.0 ? 1.0 - result.sse / sst : 0.0;
    return true;
  }

  // The model value at one sample from F, dF/dkep and Cp there, with the gradient in the kinetic parameters:
  // one voxel (V = double) or a lane pack.
  template <class V>
  KOKKOS_FORCEINLINE_FUNCTION static V kinetic_sample(V ktrans, V vp, V g_to_ktrans, V g_to_ve, V f, V g, V c,
                                                      V (&df)[n_params]) {
    df[0] = f + g_to_ktrans * g;
    if constexpr (has_ve) df[i_ve] = g_to_ve * g;
    if constexpr (has_vp) df[i_vp] = c;
    return ktrans * f + vp * c;
  }

  template <class Curve>
  KOKKOS_INLINE_FUNCTION void linearised(Curve const& y, double delay_s, double (&p)[n_params]) const {
    constexpr int K = n_kinetic;
    fit::LinearRegression<K> reg;
    double tissue_integral = 0.0;
    double const rates[1] = {0.0};  // F_0 = running integral of the AIF
    in.template convolve_samples<1, false>(
        rates, delay_s / seconds_per_minute, [&](int j, ConvolvedSample<1> const& s) {
          if (j > 0) tissue_integral += 0.5 * (in.t(j) - in.t(j - 1)) * (y(j) + y(j - 1));
          double x[K];
          x[0] = s.f[0];
          if (has_ve) x[i_ve] = -tissue_integral;
          if (has_vp) x[i_vp] = s.c;
          reg.add(x, y(j));
        });
    double beta[K] = {};
    bool const ok = reg.solve(beta);
    parameters_from(beta, ok, delay_s, p);
  }

  // The delay search on the subject's table: per candidate the normal equations of linearised(), assembled
  // from the table's subject-wide sums and four dot products with the curve (delay_start_table.hpp).
  template <class Curve>
  KOKKOS_INLINE_FUNCTION void tabulated_delay_start(Curve const& y, double (&p)[n_params]) const {
    constexpr int B = DelayStartTable<MemorySpace>::candidate_block;
    int const n = n_samples();
    DelayCurveSums const sums = delay_curve_sums(y);
    DelayBest best;
    // The dot products of the curve with each candidate's terms I, Cp, u, w, a block of candidates at a time.
    for (int s0 = 0; s0 < delay_starts.candidates(); s0 += B) {
      double dots[4][B] = {};
      for (int j = 0; j < n; ++j) {
        double const v = y(j);
        for (int term = 0; term < 4; ++term) {
          if (!delay_term_used(term)) continue;
          double const* const row = &delay_starts.terms(j, term, s0);
          for (int b = 0; b < B; ++b) dots[term][b] += row[b] * v;
        }
      }
      score_delay_block(s0, dots, sums, best);
    }
    parameters_from(best.beta, best.ok, delay.candidate(best.s), p);
  }

  // tabulated_delay_start() for the lanes of a pack that are on, reading the table once for the pack: the
  // candidates of a block across a vector, each lane's dot products summed in sample order as above.
  template <int W>
  KOKKOS_INLINE_FUNCTION void tabulated_delay_start_lanes(double const* tile, fit::LaneMask<W> const& lanes,
                                                          double (&p)[W][n_params]) const {
    constexpr int B = DelayStartTable<MemorySpace>::candidate_block;
    using V = fit::LanePack<B>;
    int const n = n_samples();
    DelayCurveSums sums[W];
    DelayBest best[W];
    for (int l = 0; l < W; ++l) sums[l] = delay_curve_sums(fit::TileColumn<W>{tile, l});
    for (int s0 = 0; s0 < delay_starts.candidates(); s0 += B) {
      double dots[W][4][B] = {};
      for (int term = 0; term < 4; ++term) {
        if (!delay_term_used(term)) continue;
        V acc[W];
        for (int j = 0; j < n; ++j) {
          V const row = V::load(&delay_starts.terms(j, term, s0));
          for (int l = 0; l < W; ++l) acc[l] += row * tile[j * W + l];
        }
        for (int l = 0; l < W; ++l)
          for (int b = 0; b < B; ++b) dots[l][term][b] = acc[l][b];
      }
      for (int l = 0; l < W; ++l)
        if (lanes.on[l]) score_delay_block(s0, dots[l], sums[l], best[l]);
    }
    for (int l = 0; l < W; ++l)
      if (lanes.on[l]) parameters_from(best[l].beta, best[l].ok, delay.candidate(best[l].s), p[l]);
  }

  // The candidate-independent sums of the delay search: y.y, J.J and J.y with J the tissue curve's trapezoid
  // integral.
  struct DelayCurveSums {
    double yy = 0.0, jj = 0.0, jy = 0.0;
  };
  template <class Curve>
  KOKKOS_INLINE_FUNCTION DelayCurveSums delay_curve_sums(Curve const& y) const {
    DelayCurveSums sums;
    double tissue_integral = 0.0;
    for (int j = 0; j < n_samples(); ++j) {
      if (j > 0) tissue_integral += 0.5 * (in.t(j) - in.t(j - 1)) * (y(j) + y(j - 1));
      sums.yy += y(j) * y(j);
      sums.jj += tissue_integral * tissue_integral;
      sums.jy += tissue_integral * y(j);
    }
    return sums;
  }

  // The best candidate of the delay search so far: the lowest residual, the first of equal ones.
  struct DelayBest {
    double score = 1e300;
    double beta[n_kinetic] = {};
    bool ok = false;
    int s = 0;
  };

  // Which of the table's terms (I, Cp, u, w) the variant's linearisation uses.
  KOKKOS_INLINE_FUNCTION static constexpr bool delay_term_used(int term) {
    return term == 0 || (term == 1 && has_vp) || (term == 2 && has_ve) || (term == 3 && has_ve && has_vp);
  }

  // Scores the candidates s0 + b of one block from their dot products, in candidate order.
  template <int B>
  KOKKOS_INLINE_FUNCTION void score_delay_block(int s0, double const (&dots)[4][B],
                                                DelayCurveSums const& sums, DelayBest& best) const {
    for (int b = 0; b < B && s0 + b < delay_starts.candidates(); ++b)
      score_delay_candidate(s0 + b, dots[0][b], dots[1][b], dots[2][b], dots[3][b], sums, best);
  }

  // The linearised fit of one tabulated candidate from its dot products; it replaces the best so far when its
  // residual is lower.
  KOKKOS_INLINE_FUNCTION void score_delay_candidate(int s, double iy, double cy, double uy, double wy,
                                                    DelayCurveSums const& sums, DelayBest& best) const {
    constexpr int K = n_kinetic;
    // x = (I, -J, Cp) as in linearised(), without the columns the variant lacks.
    fit::LinearRegression<K> reg;
    reg.yty = sums.yy;
    reg.xtx[fit::packed_index(0, 0)] = delay_starts.sums(s, 0);
    reg.xty[0] = iy;
    if (has_ve) {
      reg.xtx[fit::packed_index(i_ve, 0)] = -uy;
      reg.xtx[fit::packed_index(i_ve, i_ve)] = sums.jj;
      reg.xty[i_ve] = -sums.jy;
    }
    if (has_vp) {
      reg.xtx[fit::packed_index(i_vp, 0)] = delay_starts.sums(s, 1);
      reg.xtx[fit::packed_index(i_vp, i_vp)] = delay_starts.sums(s, 2);
      reg.xty[i_vp] = cy;
      if (has_ve) reg.xtx[fit::packed_index(i_vp, i_ve)] = -wy;
    }
    double beta[K];
    bool const ok = reg.solve(beta);
    double const score = ok ? reg.residual(beta) : 1e300;
    if (score < best.score) {
      best.score = score;
      best.ok = ok;
      best.s = s;
      for (int i = 0; i < K; ++i) best.beta[i] = ok ? beta[i] : 0.0;
    }
  }

  // The model's parameters from the linearisation's coefficients beta (when ok), within the bounds.
  KOKKOS_INLINE_FUNCTION void parameters_from(double const (&beta)[n_kinetic], bool ok, double delay_s,
                                              double (&p)[n_params]) const {
    // Fallback: a mid-range tissue.
    double ktrans = 0.1, ve = 0.2, vp = 0.02;
    if (ok) {
      double const kep = has_ve ? beta[i_ve] : 0.0;
      double const vp_est = has_vp ? beta[i_vp] : 0.0;
      double const kt = beta[0] - (has_ve ? kep * vp_est : 0.0);
      if (is_finite(kt) && kt > 0.0) ktrans = kt;
      if (has_vp && is_finite(vp_est) && vp_est > 0.0) vp = vp_est;
      if constexpr (has_ve) {
        if (is_finite(kep) && kep > 0.0) ve = ktrans / kep;
      }
    }
    p[0] = ktrans;
    if (has_ve) p[i_ve] = ve;
    if (has_vp) p[i_vp] = vp;
    if (WithDelay) p[i_delay] = delay_s;
    fit::clamp_to_bounds(*this, p);
  }

  // osipy's discretisation: C[n] = dt sum_{m<=n} ca[m] Ktrans exp(-kep (t[n-m] - t[0])) (+ vp ca[n]), with
  // the AIF on the tissue grid. Recursive in n: S[n] = e^{-kep dt} S[n-1] + ca[n].
  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate_osipy(double ktrans, double ve, double vp, double kep,
                                             Sink& sink) const {
    int const n = n_samples();
    if (n < 2 || in.n_aif() < n) return false;
    double const dt = in.t(1) - in.t(0);
    double const e = kmath::exp(-kep * dt);
    double s = 0.0, ds = 0.0;  // S and dS/dkep
    for (int j = 0; j < n; ++j) {
      ds = e * (ds - dt * s);
      s = e * s + in.ca(j);
      double const f_conv = dt * s, g_conv = dt * ds;
      double df[n_params];
      df[0] = f_conv + (has_ve ? ktrans * g_conv / ve : 0.0);
      if (has_ve) df[i_ve] = -ktrans * g_conv * kep / ve;
      if (has_vp) df[i_vp] = in.ca(j);
      sink(j, ktrans * f_conv + vp * in.ca(j), df);
    }
    return true;
  }
};

template <class MemorySpace, bool WithDelay = false>
using ToftsModel = ToftsFamilyModel<MemorySpace, ToftsVariant::tofts, WithDelay>;
template <class MemorySpace, bool WithDelay = false>
using ExtendedToftsModel = ToftsFamilyModel<MemorySpace, ToftsVariant::extended_tofts, WithDelay>;
template <class MemorySpace, bool WithDelay = false>
using PatlakModel = ToftsFamilyModel<MemorySpace, ToftsVariant::patlak, WithDelay>;

}  // namespace voxflow::dce

#endif
