// Closed-form SPGR estimates for one voxel, callable from kernels: the DESPOT1 line (all flip angles or the
// first and last only), M0 profiled in closed form at a fixed R1, and a coarse R1 grid. The linear methods
// report them directly; the non-linear fit starts from the best of them.
//
// `Model` is anything with n_samples(), angle_terms(j) (spgr_signal.hpp), tr [s], and the start grid's
// grid_r1(k), grid_g(k, j), nominal_grid() and nominal_row(k) for k < spgr_grid_points (SpgrModel); `Curve`
// is y(j).
#ifndef VOXFLOW_T1_SPGR_ESTIMATES_HPP
#define VOXFLOW_T1_SPGR_ESTIMATES_HPP

#include <voxflow/core/fit_status.hpp>
#include <voxflow/fit/lane_pack.hpp>
#include <voxflow/t1/spgr_signal.hpp>

namespace voxflow::t1 {

struct SpgrEstimate {
  double m0 = 0.0;
  double r1 = 0.0;
  double sse = 0.0;  // only set by the profile/grid estimates
  // converged: a physical estimate; singular: the flip angles/signals give no line (e.g. all x equal);
  // non_finite_model: the line gives E1 outside (0, 1) or M0 <= 0, i.e. no physical T1.
  FitStatus status = FitStatus::converged;
};

namespace detail {

// One weighted DESPOT1 regression y = E1 x + b with y = S / sin a, x = S / tan a, on centred sums (no
// cancellation when x is large and nearly constant). e1_weight in (0, 1) selects the weights w = (sin a / (1
// - cos a E1))^2, the inverse variance of the line's residual (S - f)(1 - cos a E1) / sin a for equal noise
// on S; otherwise w = 1.
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION bool despot1_line(Model const& m, Curve const& y, bool two_point, double e1_weight,
                                         double& e1, double& b) {
  int const n = m.n_samples();
  int const step = two_point ? max_of(n - 1, 1) : 1;
  bool const weighted = e1_weight > 0.0 && e1_weight < 1.0;
  double sw = 0.0, swx = 0.0, swy = 0.0, swxx = 0.0;
  for (int j = 0; j < n; j += step) {
    SpgrAngleTerms const t = m.angle_terms(j);
    double const s = t.sin_a, c = t.cos_a;
    double const w = weighted ? (s / (1.0 - c * e1_weight)) * (s / (1.0 - c * e1_weight)) : 1.0;
    double const x = y(j) * c / s;
    sw += w;
    swx += w * x;
    swy += w * y(j) / s;
    swxx += w * x * x;
  }
  double const xm = swx / sw, ym = swy / sw;
  double sxx = 0.0, sxy = 0.0;
  for (int j = 0; j < n; j += step) {
    SpgrAngleTerms const t = m.angle_terms(j);
    double const s = t.sin_a, c = t.cos_a;
    double const w = weighted ? (s / (1.0 - c * e1_weight)) * (s / (1.0 - c * e1_weight)) : 1.0;
    double const dx = y(j) * c / s - xm;
    sxx += w * dx * dx;
    sxy += w * dx * (y(j) / s - ym);
  }
  // All x (nearly) equal: the slope is undetermined.
  if (!(sxx > 1e-14 * swxx) || !is_finite(sxx)) return false;
  e1 = sxy / sxx;
  b = ym - e1 * xm;
  return is_finite(e1) && is_finite(b);
}

}  // namespace detail

// DESPOT1 (Deoni 2003) in closed form: T1 = -TR / ln E1, M0 = b / (1 - E1). Unweighted ordinary least squares
// by default, as osipy and the OSIPI contributions do; `weighted` refits once with the inverse-variance
// weights at the unweighted E1, which removes most of the low-SNR bias of the unweighted line. `two_point`
// uses the first and last flip angle only. R1 is not bounded here: the closed form is reported as it is.
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION SpgrEstimate despot1_estimate(Model const& m, Curve const& y, bool two_point,
                                                     bool weighted) {
  SpgrEstimate est;
  double e1 = 0.0, b = 0.0;
  if (!detail::despot1_line(m, y, two_point, 0.0, e1, b)) {
    est.status = FitStatus::singular;
    return est;
  }
  if (weighted && e1 > 0.0 && e1 < 1.0) {
    double e1w = 0.0, bw = 0.0;
    if (detail::despot1_line(m, y, two_point, e1, e1w, bw)) {
      e1 = e1w;
      b = bw;
    }
  }
  est.m0 = b / (1.0 - e1);
  est.r1 = -kmath::log(e1) / m.tr;
  if (!(e1 > 0.0 && e1 < 1.0) || !(est.m0 > 0.0) || !is_finite(est.m0) || !is_finite(est.r1))
    est.status = FitStatus::non_finite_model;
  return est;
}

namespace detail {

// The least-squares M0 >= 0 from the sums over j of y(j) g(j) (syg) and g(j)^2 (sgg) is
// profiled_m0(syg / m0_divisor(sgg), sgg), of one voxel or of each lane of a pack.
KOKKOS_INLINE_FUNCTION double m0_divisor(double sgg) {
  return sgg > 0.0 ? sgg : 1.0;  // no 0 / 0 for a curve g = 0: profiled_m0 then gives 0
}
template <int W>
KOKKOS_INLINE_FUNCTION fit::LanePack<W> m0_divisor(fit::LanePack<W> sgg) {
  for (int l = 0; l < W; ++l) sgg.set(l, m0_divisor(sgg[l]));
  return sgg;
}
KOKKOS_INLINE_FUNCTION double profiled_m0(double ratio, double sgg) {
  return sgg > 0.0 ? max_of(ratio, 0.0) : 0.0;
}

// Lane l of a pack, or a value the lanes share.
KOKKOS_INLINE_FUNCTION double lane_of(double shared, int) {
  return shared;
}
template <int W>
KOKKOS_INLINE_FUNCTION double lane_of(fit::LanePack<W> const& pack, int l) {
  return pack[l];
}

// The estimate of a profiled M0 at R1 with residual sum sse.
KOKKOS_INLINE_FUNCTION SpgrEstimate profiled(double r1, double m0, double sse) {
  SpgrEstimate est;
  est.r1 = r1;
  est.m0 = m0;
  est.sse = sse;
  if (!is_finite(est.sse) || !is_finite(est.m0)) est.status = FitStatus::non_finite_model;
  return est;
}

// Keeps e in best where it is the first finite estimate or fits better.
KOKKOS_INLINE_FUNCTION void keep_better(SpgrEstimate const& e, SpgrEstimate& best) {
  if (e.status == FitStatus::converged && (best.status != FitStatus::converged || e.sse < best.sse)) best = e;
}

// M0 >= 0 by linear least squares at a fixed R1 whose model curve is g(j), and the resulting sum of squared
// residuals.
template <class Curve, class Shape>
KOKKOS_INLINE_FUNCTION SpgrEstimate spgr_profile_of(int n, Curve const& y, double r1, Shape const& g) {
  double sgg = 0.0, syg = 0.0;
  for (int j = 0; j < n; ++j) {
    double const gj = g(j);
    sgg += gj * gj;
    syg += y(j) * gj;
  }
  double const m0 = profiled_m0(syg / m0_divisor(sgg), sgg);
  double sse = 0.0;
  for (int j = 0; j < n; ++j) {
    double const r = y(j) - m0 * g(j);
    sse += r * r;
  }
  return profiled(r1, m0, sse);
}

}  // namespace detail

// M0 >= 0 by linear least squares at a fixed R1, and the resulting sum of squared residuals.
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION SpgrEstimate spgr_profile(Model const& m, Curve const& y, double r1) {
  SpgrR1Terms const r = spgr_r1_terms(m.tr, r1);
  return detail::spgr_profile_of(m.n_samples(), y, r1,
                                 [&](int j) { return spgr_shape(m.angle_terms(j), r, m.tr).g; });
}

namespace detail {

// The grid minimum with the curve of grid point k, angle j given by g(k, j).
template <class Model, class Curve, class GridCurve>
KOKKOS_INLINE_FUNCTION SpgrEstimate spgr_grid_search(Model const& m, Curve const& y, GridCurve const& g) {
  SpgrEstimate best;
  best.status = FitStatus::non_finite_model;
  for (int k = 0; k < spgr_grid_points; ++k)
    keep_better(spgr_profile_of(m.n_samples(), y, m.grid_r1(k), [&](int j) { return g(k, j); }), best);
  return best;
}

}  // namespace detail

// Coarse grid over R1 (10 points per decade across the fit bounds) with M0 profiled at each point: a global
// start that does not depend on the linearisation being valid. The model supplies the grid's curves (shared
// by every voxel at B1 = 1).
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION SpgrEstimate spgr_grid_estimate(Model const& m, Curve const& y) {
  if (m.nominal_grid())
    return detail::spgr_grid_search(m, y, [&](int k, int j) { return m.nominal_row(k)[j]; });
  return detail::spgr_grid_search(m, y, [&](int k, int j) { return m.grid_g(k, j); });
}

// spgr_grid_search() of W voxels in lanes, their curves in tile[j * W + lane], the curve of grid point k at
// angle j given by g(k, j): one the lanes share (a double) or each lane's own (a fit::LanePack<W>). best[l]
// is lane l's. Each lane's sums are those of the scalar search, in the same order, so every lane finds its
// scalar minimum.
template <int W, class Model, class GridCurve>
KOKKOS_INLINE_FUNCTION void spgr_grid_search_lanes(Model const& m, double const* tile, GridCurve const& g,
                                                   SpgrEstimate (&best)[W]) {
  using V = fit::LanePack<W>;
  using G = decltype(g(0, 0));
  int const n = m.n_samples();
  for (int l = 0; l < W; ++l) best[l].status = FitStatus::non_finite_model;
  for (int k = 0; k < spgr_grid_points; ++k) {
    G sgg(0.0);
    V syg(0.0);
    for (int j = 0; j < n; ++j) {
      G const gj = g(k, j);
      sgg += gj * gj;
      syg += V::load(tile + j * W) * gj;
    }
    V const ratio = syg / detail::m0_divisor(sgg);
    V m0;
    for (int l = 0; l < W; ++l) m0.set(l, detail::profiled_m0(ratio[l], detail::lane_of(sgg, l)));
    V sse(0.0);
    for (int j = 0; j < n; ++j) {
      V const r = V::load(tile + j * W) - m0 * g(k, j);
      sse += r * r;
    }
    double const r1 = m.grid_r1(k);
    for (int l = 0; l < W; ++l) detail::keep_better(detail::profiled(r1, m0[l], sse[l]), best[l]);
  }
}

// The start spgr_start() takes from the grid minimum `best`: the DESPOT1 R1 (with M0 profiled) where that
// fits better, a neutral start where neither is finite.
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION SpgrEstimate spgr_start_from(Model const& m, Curve const& y, SpgrEstimate best) {
  SpgrEstimate const lin = despot1_estimate(m, y, false, false);
  if (lin.status == FitStatus::converged && lin.r1 >= spgr_r1_min && lin.r1 <= spgr_r1_max) {
    SpgrEstimate const e = spgr_profile(m, y, lin.r1);
    if (e.status == FitStatus::converged && (best.status != FitStatus::converged || e.sse <= best.sse))
      best = e;
  }
  if (best.status != FitStatus::converged) {  // nothing finite: a neutral start, the fit reports what happens
    best.m0 = 0.0;
    best.r1 = 1.0;
  }
  return best;
}

// Start of the non-linear fit: the grid minimum, replaced by the DESPOT1 R1 (with M0 profiled) when that fits
// better. On noise-free data DESPOT1 is already exact; on noisy or degenerate data the grid keeps the start
// sensible.
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION SpgrEstimate spgr_start(Model const& m, Curve const& y) {
  return spgr_start_from(m, y, spgr_grid_estimate(m, y));
}

}  // namespace voxflow::t1

#endif
