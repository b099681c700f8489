// Bounded Levenberg-Marquardt for one voxel, callable from any kernel (DESIGN.md §2; the device-solver
// pattern of KokkosODE::Newton: a free KOKKOS_FUNCTION that returns a status code and never throws or
// prints).
//
// Each iteration is one streamed pass of the model at the trial point (NormalEquationsSink); on acceptance
// that pass's J^T J, J^T r and cost are reused, on rejection the previous ones are kept. The damped system
// (J^T J + lambda diag(J^T J)) delta = J^T r is solved in registers. Bounds are handled by projection plus an
// active set: a parameter sitting on a bound whose gradient points outwards is frozen for that step, so
// convergence onto a bound takes a couple of iterations instead of stalling.
#ifndef VOXFLOW_FIT_LEVENBERG_MARQUARDT_HPP
#define VOXFLOW_FIT_LEVENBERG_MARQUARDT_HPP

#include <voxflow/core/fit_status.hpp>
#include <voxflow/fit/model.hpp>

#include <cstdint>

namespace voxflow::fit {

// Stopping rules and damping schedule. On noise-free data the cost floor stops the fit at rounding level.
struct LMOptions {
  int max_iterations = 100;
  double lambda_initial = 1e-3;
  double lambda_decrease = 0.1;
  double lambda_increase = 10.0;
  double lambda_max = 1e10;
  double cost_tolerance = 1e-8;  // a step changing the cost by less than this fraction: converged
  double step_tolerance =
      1e-10;                  // accepted step moving every parameter by less than this (relative): converged
  double cost_floor = 1e-28;  // cost below this fraction of sum(y^2): exact fit, converged
  // The predicted-reduction convergence test applies while the damping is at most this (near Gauss-Newton).
  double predicted_check_max_lambda = 1e-2;
  // Models with alternative starts refit from them when the first fit did not converge or has R² below this.
  double multistart_below_r2 = 0.9;
  // Host fits of models with a lane pass run lane packs of voxels (fit_lane_packs.hpp); off: one voxel per
  // work item everywhere (the reference the lane results are tested against).
  bool lane_packs = true;
};

// What one voxel's fit produced besides its parameters.
struct LMResult {
  FitStatus status = FitStatus::converged;
  int iterations = 0;
  double sse = 0.0;  // sum of squared residuals at the returned parameters
  double r2 = 0.0;   // 1 - SSE/SST; 0 where SST = 0
};

// Summary statistics of a voxel's data from one pre-pass: finiteness, mean, total sum of squares.
struct CurveStats {
  bool finite = true;
  double sum_sq = 0.0;  // sum y^2
  double sst = 0.0;     // sum (y - mean)^2
};

// The running sums CurveStats comes from, of one voxel (V = double) or of a lane pack (fit_lane_packs.hpp):
// sums of y - y(0) and its square give the SST without a second sweep, and the shift by the first sample
// keeps the cancellation in S2 - S1^2/n harmless for curves far from zero. v - v is 0 for a finite sample and
// NaN otherwise, so `non_finite` is finite exactly when every sample is.
template <class V>
struct CurveMoments {
  V y0, s1 = 0.0, s2 = 0.0, sum_sq = 0.0, non_finite = 0.0;

  KOKKOS_FORCEINLINE_FUNCTION explicit CurveMoments(V first) : y0(first) {}

  KOKKOS_FORCEINLINE_FUNCTION void add(V v) {
    V const d = v - y0;
    s1 += d;
    s2 += d * d;
    sum_sq += v * v;
    non_finite += v - v;
  }

  // Lane l's sums of moments accumulated in lane packs.
  KOKKOS_INLINE_FUNCTION CurveMoments<double> lane(int l) const {
    CurveMoments<double> one(y0[l]);
    one.s1 = s1[l];
    one.s2 = s2[l];
    one.sum_sq = sum_sq[l];
    one.non_finite = non_finite[l];
    return one;
  }

  // The statistics of n samples (V = double).
  KOKKOS_INLINE_FUNCTION CurveStats stats(int n) const {
    CurveStats s;
    s.finite = is_finite(non_finite);
    s.sum_sq = sum_sq;
    if (s.finite) s.sst = max_of(s2 - s1 * s1 / n, 0.0);
    return s;
  }
};

template <class Curve>
KOKKOS_INLINE_FUNCTION CurveStats curve_stats(Curve const& y, int n) {
  if (n == 0) return CurveStats{};
  CurveMoments<double> m(y(0));
  for (int j = 0; j < n; ++j) m.add(y(j));
  return m.stats(n);
}

namespace detail {

template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION bool accumulate(Model const& model, Curve const& y, double const (&p)[Model::n_params],
                                       NormalEquationsSink<Model::n_params, Curve>& ne) {
  if (!model.evaluate(p, ne)) return false;
  if (!is_finite(ne.cost)) return false;
  for (int a = 0; a < Model::n_params; ++a)
    if (!is_finite(ne.jtr[a])) return false;
  (void)y;
  return true;
}

template <class Model>
KOKKOS_INLINE_FUNCTION bool on_any_bound(Model const& model, double const (&p)[Model::n_params]) {
  for (int i = 0; i < Model::n_params; ++i)
    if (p[i] <= model.lower(i) || p[i] >= model.upper(i)) return true;
  return false;
}

}  // namespace detail

// One voxel's fit as a resumable state machine, so that a pack of voxels (fit_lane_packs.hpp) runs exactly
// the scalar iteration of each voxel while sharing its streamed passes with the other lanes:
//   lm_start   checks the curve and asks for the pass at the starting point,
//   lm_take    takes the pass at the pending point (the start or a trial): accept, reject or stop,
//   lm_propose builds and solves the damped system and sets the next trial point, or stops,
//   lm_finish  writes parameters and result.
// levenberg_marquardt() below chains them for one voxel; every path computes the same values in the same
// order, whichever driver runs them.
template <int P, class Curve>
struct LMState {
  NormalEquationsSink<P, Curve> current;
  CurveStats stats;
  double p[P];
  double trial[P];  // the point whose pass lm_take expects
  double lambda = 0.0;
  double cost_floor = 0.0;
  FitStatus status = FitStatus::max_iterations;
  int iter = 0;
  bool solved_once = false;
  bool small_step = true;
  bool started = false;  // the pass at the starting point has been taken
  bool done = false;

  LMState() = default;
  KOKKOS_INLINE_FUNCTION explicit LMState(Curve const& y) : current(y) {}
};

// Starts a fit from p. Returns true when the pass at state.trial (the clamped start) is needed; false when
// the curve is not finite (the fit is then done).
// `stats` are the curve's (curve_stats; the lane-pack driver computes them for a whole pack).
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION bool lm_start(Model const& model, CurveStats const& stats,
                                     double const (&p)[Model::n_params], LMOptions const& opt,
                                     LMState<Model::n_params, Curve>& s) {
  constexpr int P = Model::n_params;
  static_assert(P >= 1 && P <= 6, "voxflow::fit::levenberg_marquardt: models have 1 to 6 parameters");
  s.stats = stats;
  if (!s.stats.finite) {
    for (int i = 0; i < P; ++i) s.p[i] = kmath::nan("");
    s.status = FitStatus::non_finite_input;
    s.current.cost = kmath::nan("");
    s.done = true;
    return false;
  }
  for (int i = 0; i < P; ++i) s.p[i] = p[i];
  clamp_to_bounds(model, s.p);
  for (int i = 0; i < P; ++i) s.trial[i] = s.p[i];
  s.cost_floor = opt.cost_floor * s.stats.sum_sq;
  s.lambda = opt.lambda_initial;
  return true;
}

template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION bool lm_start(Model const& model, Curve const& y, double const (&p)[Model::n_params],
                                     LMOptions const& opt, LMState<Model::n_params, Curve>& s) {
  return lm_start(model, curve_stats(y, model.n_samples()), p, opt, s);
}

// Builds and solves the damped system at the current point. Returns true with state.trial set when a pass
// there is needed; false when the fit stopped (state.done).
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION bool lm_propose(Model const& model, LMOptions const& opt,
                                       LMState<Model::n_params, Curve>& s) {
  constexpr int P = Model::n_params;
  while (s.iter < opt.max_iterations) {
    if (s.current.cost <= s.cost_floor) {
      s.status = FitStatus::converged;
      s.done = true;
      return false;
    }
    ++s.iter;
    // Damped normal equations with the active set frozen.
    double a[packed_size<P>];
    double b[P];
    bool frozen[P];
    double trace = 0.0;
    for (int i = 0; i < P; ++i) trace += s.current.jtj[packed_index(i, i)];
    double const diag_floor = 1e-15 * trace + 1e-300;
    for (int i = 0; i < P; ++i) {
      frozen[i] = (s.p[i] <= model.lower(i) && s.current.jtr[i] < 0.0) ||
                  (s.p[i] >= model.upper(i) && s.current.jtr[i] > 0.0);
    }
    for (int i = 0; i < P; ++i) {
      for (int j = 0; j <= i; ++j) {
        double v = s.current.jtj[packed_index(i, j)];
        if (frozen[i] || frozen[j]) v = (i == j) ? 1.0 : 0.0;
        a[packed_index(i, j)] = v;
      }
      if (!frozen[i]) {
        double const d = max_of(s.current.jtj[packed_index(i, i)], diag_floor);
        a[packed_index(i, i)] = d * (1.0 + s.lambda);
      }
      b[i] = frozen[i] ? 0.0 : s.current.jtr[i];
    }
    double delta[P] = {};
    if (!cholesky_solve<P>(a, b, delta)) {
      s.lambda *= opt.lambda_increase;
      if (s.lambda > opt.lambda_max) {
        s.status = s.solved_once ? FitStatus::stalled : FitStatus::singular;
        s.done = true;
        return false;
      }
      continue;
    }
    s.solved_once = true;
    // Near Gauss-Newton (small damping) the quadratic model predicts the cost reduction of the full step,
    // 2 delta'g - delta'H delta. When even that is below the tolerance the current point is the minimum to
    // the requested precision, and the trial pass (a whole sweep over the curve) can be skipped. With large
    // damping delta is shortened and the prediction says nothing, so the test is off there.
    if (s.lambda <= opt.predicted_check_max_lambda) {
      double predicted = 0.0;
      for (int i = 0; i < P; ++i) {
        if (frozen[i]) continue;
        double h_delta = 0.0;
        for (int j = 0; j < P; ++j)
          if (!frozen[j])
            h_delta += s.current.jtj[i >= j ? packed_index(i, j) : packed_index(j, i)] * delta[j];
        predicted += delta[i] * (2.0 * s.current.jtr[i] - h_delta);
      }
      if (predicted <= opt.cost_tolerance * s.current.cost) {
        s.status = FitStatus::converged;
        s.done = true;
        return false;
      }
    }
    bool moved = false;
    s.small_step = true;
    for (int i = 0; i < P; ++i) {
      s.trial[i] = clamp_to(s.p[i] + delta[i], model.lower(i), model.upper(i));
      double const step = s.trial[i] - s.p[i];
      if (step != 0.0) moved = true;
      if (kmath::fabs(step) > opt.step_tolerance * (kmath::fabs(s.p[i]) + opt.step_tolerance))
        s.small_step = false;
    }
    if (!moved) {  // every free direction is blocked by a bound or below rounding: nothing left to gain
      s.status = FitStatus::converged;
      s.done = true;
      return false;
    }
    return true;
  }
  s.done = true;  // status stays max_iterations
  return false;
}

// Takes the pass at state.trial: `candidate` holds its normal equations, `finite` says whether the model gave
// a finite curve there (detail::accumulate).
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION void lm_take(LMOptions const& opt,
                                    NormalEquationsSink<Model::n_params, Curve> const& candidate, bool finite,
                                    LMState<Model::n_params, Curve>& s) {
  constexpr int P = Model::n_params;
  if (!s.started) {
    s.started = true;
    if (!finite) {
      for (int i = 0; i < P; ++i) s.p[i] = kmath::nan("");
      s.status = FitStatus::non_finite_model;
      s.current.cost = kmath::nan("");
      s.done = true;
      return;
    }
    s.current = candidate;
    return;
  }
  if (finite && candidate.cost <= s.current.cost) {
    double const gain = s.current.cost - candidate.cost;
    for (int i = 0; i < P; ++i) s.p[i] = s.trial[i];
    s.current = candidate;
    s.lambda = max_of(s.lambda * opt.lambda_decrease, 1e-15);
    if (gain <= opt.cost_tolerance * s.current.cost || s.small_step) {
      s.status = FitStatus::converged;
      s.done = true;
    }
  } else {
    // A rejected trial that changes the cost by less than the tolerance: the minimum is reached to precision.
    if (finite && candidate.cost - s.current.cost <= opt.cost_tolerance * s.current.cost) {
      s.status = FitStatus::converged;
      s.done = true;
      return;
    }
    s.lambda *= opt.lambda_increase;
    if (s.lambda > opt.lambda_max) {
      // No damping reduces the cost: the current point is a minimum to working precision when the step was
      // tiny.
      s.status = s.small_step ? FitStatus::converged : FitStatus::stalled;
      s.done = true;
    }
  }
}

// The fitted parameters (into p) and the result of a finished fit.
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION LMResult lm_finish(Model const& model, LMState<Model::n_params, Curve> const& s,
                                          double (&p)[Model::n_params]) {
  LMResult result;
  for (int i = 0; i < Model::n_params; ++i) p[i] = s.p[i];
  result.iterations = s.iter;
  result.sse = s.current.cost;
  if (s.status == FitStatus::non_finite_input || s.status == FitStatus::non_finite_model) {
    result.status = s.status;
    return result;
  }
  FitStatus status = s.status;
  if (status == FitStatus::converged && detail::on_any_bound(model, p))
    status = FitStatus::converged_at_bound;
  if (s.stats.sst <= 0.0 && (status == FitStatus::converged || status == FitStatus::converged_at_bound)) {
    status = FitStatus::flat_signal;
  }
  result.status = status;
  result.r2 = s.stats.sst > 0.0 ? 1.0 - s.current.cost / s.stats.sst : 0.0;
  return result;
}

// Fits `model` to the curve y (y(j) for j < model.n_samples()), starting from p, which holds the result on
// return. Parameters are always inside the model's bounds on return, or NaN for non_finite_input /
// non_finite_model.
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION LMResult levenberg_marquardt(Model const& model, Curve const& y,
                                                    double (&p)[Model::n_params], LMOptions const& opt) {
  constexpr int P = Model::n_params;
  LMState<P, Curve> s(y);
  if (lm_start(model, y, p, opt, s)) {
    while (true) {
      NormalEquationsSink<P, Curve> candidate(y);
      bool const finite = detail::accumulate(model, y, s.trial, candidate);
      lm_take<Model>(opt, candidate, finite, s);
      if (s.done || !lm_propose(model, opt, s)) break;
    }
  }
  return lm_finish(model, s, p);
}

}  // namespace voxflow::fit

#endif
