// Exponential-decay models: the simplest fittable models, used by IVIM/relaxometry-style fits and to prove
// the LM core against known truth.
#ifndef VOXFLOW_FIT_EXPONENTIAL_MODELS_HPP
#define VOXFLOW_FIT_EXPONENTIAL_MODELS_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/fit/model.hpp>

namespace voxflow::fit {

// S(t) = A exp(-k t); parameters (A, k).
template <class MemorySpace>
struct MonoExponential {
  static constexpr int n_params = 2;
  Kokkos::View<double const*, MemorySpace> t;
  double lo[n_params] = {0.0, 0.0};
  double hi[n_params] = {1e30, 1e3};

  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(t.extent(0)); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return lo[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return hi[i]; }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    for (int j = 0; j < n_samples(); ++j) {
      double const e = kmath::exp(-p[1] * t(j));
      double const df[n_params] = {e, -p[0] * t(j) * e};
      sink(j, p[0] * e, df);
    }
    return true;
  }

  // Log-linear regression ln y = ln A - k t over the positive samples, weighted by y^2 (the variance of ln y
  // scales as 1/y^2); falls back to (max y, 1/duration) when fewer than two samples are positive.
  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const& y, double (&p)[n_params]) const {
    LinearRegression<2> reg;
    int used = 0;
    double y_max = 0.0;
    for (int j = 0; j < n_samples(); ++j) {
      double const v = y(j);
      y_max = max_of(y_max, v);
      if (v > 0.0 && is_finite(v)) {
        double const x[2] = {1.0, -t(j)};
        reg.add(x, kmath::log(v), v * v);
        ++used;
      }
    }
    double beta[2];
    if (used >= 2 && reg.solve(beta) && is_finite(beta[0]) && is_finite(beta[1])) {
      p[0] = kmath::exp(beta[0]);
      p[1] = beta[1];
    } else {
      double const duration = n_samples() > 1 ? t(n_samples() - 1) - t(0) : 1.0;
      p[0] = y_max;
      p[1] = 1.0 / max_of(duration, 1e-12);
    }
    clamp_to_bounds(*this, p);
  }
};

// S(t) = A exp(-k t) + c; parameters (A, k, c).
template <class MemorySpace>
struct ExponentialWithOffset {
  static constexpr int n_params = 3;
  Kokkos::View<double const*, MemorySpace> t;
  double lo[n_params] = {-1e30, 0.0, -1e30};
  double hi[n_params] = {1e30, 1e3, 1e30};

  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(t.extent(0)); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return lo[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return hi[i]; }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    for (int j = 0; j < n_samples(); ++j) {
      double const e = kmath::exp(-p[1] * t(j));
      double const df[n_params] = {e, -p[0] * t(j) * e, 1.0};
      sink(j, p[0] * e + p[2], df);
    }
    return true;
  }

  // Integral linearisation: y' = -k (y - c) integrates to y_j = a - k I_j + k c (t_j - t_0), with I_j the
  // cumulative trapezoid integral of y; one streamed regression on (1, I_j, t_j - t_0) gives k, c and A.
  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const& y, double (&p)[n_params]) const {
    int const n = n_samples();
    LinearRegression<3> reg;
    double integral = 0.0;
    for (int j = 0; j < n; ++j) {
      if (j > 0) integral += 0.5 * (t(j) - t(j - 1)) * (y(j) + y(j - 1));
      double const x[3] = {1.0, integral, t(j) - t(0)};
      reg.add(x, y(j));
    }
    double beta[3];
    bool ok = n >= 3 && reg.solve(beta);
    double const k = ok ? -beta[1] : 0.0;
    if (ok && is_finite(k) && k > 0.0) {
      p[1] = k;
      p[2] = beta[2] / k;
      p[0] = (beta[0] - p[2]) * kmath::exp(k * t(0));
    } else {
      double const duration = n > 1 ? t(n - 1) - t(0) : 1.0;
      p[1] = 1.0 / max_of(duration, 1e-12);
      p[2] = n > 0 ? y(n - 1) : 0.0;
      p[0] = n > 0 ? y(0) - p[2] : 0.0;
    }
    for (int i = 0; i < n_params; ++i)
      if (!is_finite(p[i])) p[i] = 0.0;
    clamp_to_bounds(*this, p);
  }
};

}  // namespace voxflow::fit

#endif
