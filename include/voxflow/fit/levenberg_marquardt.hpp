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

// One pass: sums of y - y(0) and its square give the SST without a second sweep, and the shift by the first
// sample keeps the cancellation in S2 - S1^2/n harmless for curves far from zero.
template <class Curve>
KOKKOS_INLINE_FUNCTION CurveStats curve_stats(Curve const& y, int n) {
  CurveStats s;
  if (n == 0) return s;
  double const y0 = y(0);
  double s1 = 0.0, s2 = 0.0;
  for (int j = 0; j < n; ++j) {
    double const v = y(j);
    if (!is_finite(v)) s.finite = false;
    double const d = v - y0;
    s1 += d;
    s2 += d * d;
    s.sum_sq += v * v;
  }
  if (s.finite) s.sst = max_of(s2 - s1 * s1 / n, 0.0);
  return s;
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

// Fits `model` to the curve y (y(j) for j < model.n_samples()), starting from p, which holds the result on
// return. Parameters are always inside the model's bounds on return, or NaN for non_finite_input /
// non_finite_model.
template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION LMResult levenberg_marquardt(Model const& model, Curve const& y,
                                                    double (&p)[Model::n_params], LMOptions const& opt) {
  constexpr int P = Model::n_params;
  static_assert(P >= 1 && P <= 6, "voxflow::fit::levenberg_marquardt: models have 1 to 6 parameters");
  using Sink = NormalEquationsSink<P, Curve>;
  LMResult result;
  int const n = model.n_samples();
  CurveStats const stats = curve_stats(y, n);
  if (!stats.finite) {
    for (int i = 0; i < P; ++i) p[i] = kmath::nan("");
    result.status = FitStatus::non_finite_input;
    result.sse = kmath::nan("");
    return result;
  }
  clamp_to_bounds(model, p);
  Sink current(y);
  if (!detail::accumulate(model, y, p, current)) {
    for (int i = 0; i < P; ++i) p[i] = kmath::nan("");
    result.status = FitStatus::non_finite_model;
    result.sse = kmath::nan("");
    return result;
  }

  double const cost_floor = opt.cost_floor * stats.sum_sq;
  double lambda = opt.lambda_initial;
  FitStatus status = FitStatus::max_iterations;
  int iter = 0;
  bool solved_once = false;
  while (iter < opt.max_iterations) {
    if (current.cost <= cost_floor) {
      status = FitStatus::converged;
      break;
    }
    ++iter;
    // Damped normal equations with the active set frozen.
    double a[packed_size<P>];
    double b[P];
    bool frozen[P];
    double trace = 0.0;
    for (int i = 0; i < P; ++i) trace += current.jtj[packed_index(i, i)];
    double const diag_floor = 1e-15 * trace + 1e-300;
    for (int i = 0; i < P; ++i) {
      frozen[i] = (p[i] <= model.lower(i) && current.jtr[i] < 0.0) ||
                  (p[i] >= model.upper(i) && current.jtr[i] > 0.0);
    }
    for (int i = 0; i < P; ++i) {
      for (int j = 0; j <= i; ++j) {
        double v = current.jtj[packed_index(i, j)];
        if (frozen[i] || frozen[j]) v = (i == j) ? 1.0 : 0.0;
        a[packed_index(i, j)] = v;
      }
      if (!frozen[i]) {
        double const d = max_of(current.jtj[packed_index(i, i)], diag_floor);
        a[packed_index(i, i)] = d * (1.0 + lambda);
      }
      b[i] = frozen[i] ? 0.0 : current.jtr[i];
    }
    double delta[P] = {};
    if (!cholesky_solve<P>(a, b, delta)) {
      lambda *= opt.lambda_increase;
      if (lambda > opt.lambda_max) {
        status = solved_once ? FitStatus::stalled : FitStatus::singular;
        break;
      }
      continue;
    }
    solved_once = true;
    // Near Gauss-Newton (small damping) the quadratic model predicts the cost reduction of the full step,
    // 2 delta'g - delta'H delta. When even that is below the tolerance the current point is the minimum to
    // the requested precision, and the trial pass (a whole sweep over the curve) can be skipped. With large
    // damping delta is shortened and the prediction says nothing, so the test is off there.
    if (lambda <= opt.predicted_check_max_lambda) {
      double predicted = 0.0;
      for (int i = 0; i < P; ++i) {
        if (frozen[i]) continue;
        double h_delta = 0.0;
        for (int j = 0; j < P; ++j)
          if (!frozen[j]) h_delta += current.jtj[i >= j ? packed_index(i, j) : packed_index(j, i)] * delta[j];
        predicted += delta[i] * (2.0 * current.jtr[i] - h_delta);
      }
      if (predicted <= opt.cost_tolerance * current.cost) {
        status = FitStatus::converged;
        break;
      }
    }
    double trial[P];
    bool moved = false;
    bool small_step = true;
    for (int i = 0; i < P; ++i) {
      trial[i] = clamp_to(p[i] + delta[i], model.lower(i), model.upper(i));
      double const step = trial[i] - p[i];
      if (step != 0.0) moved = true;
      if (kmath::fabs(step) > opt.step_tolerance * (kmath::fabs(p[i]) + opt.step_tolerance))
        small_step = false;
    }
    if (!moved) {  // every free direction is blocked by a bound or below rounding: nothing left to gain
      status = FitStatus::converged;
      break;
    }
    Sink candidate(y);
    bool const finite = detail::accumulate(model, y, trial, candidate);
    if (finite && candidate.cost <= current.cost) {
      double const gain = current.cost - candidate.cost;
      for (int i = 0; i < P; ++i) p[i] = trial[i];
      current = candidate;
      lambda = max_of(lambda * opt.lambda_decrease, 1e-15);
      if (gain <= opt.cost_tolerance * current.cost || small_step) {
        status = FitStatus::converged;
        break;
      }
    } else {
      // A rejected trial that changes the cost by less than the tolerance: the minimum is reached to
      // precision.
      if (finite && candidate.cost - current.cost <= opt.cost_tolerance * current.cost) {
        status = FitStatus::converged;
        break;
      }
      lambda *= opt.lambda_increase;
      if (lambda > opt.lambda_max) {
        // No damping reduces the cost: the current point is a minimum to working precision when the step was
        // tiny.
        status = small_step ? FitStatus::converged : FitStatus::stalled;
        break;
      }
    }
  }
  if (status == FitStatus::converged && detail::on_any_bound(model, p))
    status = FitStatus::converged_at_bound;
  if (stats.sst <= 0.0 && (status == FitStatus::converged || status == FitStatus::converged_at_bound)) {
    status = FitStatus::flat_signal;
  }
  result.status = status;
  result.iterations = iter;
  result.sse = current.cost;
  result.r2 = stats.sst > 0.0 ? 1.0 - current.cost / stats.sst : 0.0;
  return result;
}

}  // namespace voxflow::fit

#endif
