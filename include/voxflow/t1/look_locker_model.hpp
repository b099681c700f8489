// The Look-Locker inversion-recovery signal as a fittable model (fit/model.hpp):
//   S(TI) = A - B exp(-TI R1*),
// on signed (phase-corrected) data, with parameters (A, B, R1* [1/s]) and an analytic Jacobian. The apparent
// rate R1* = 1/T1* is fitted rather than T1* for the same reason as in the SPGR model: the curve is smooth in
// the rate. The Deichmann-Haase correction T1 = T1* (B/A - 1) is applied by the driver
// (look_locker_mapping.hpp).
#ifndef VOXFLOW_T1_LOOK_LOCKER_MODEL_HPP
#define VOXFLOW_T1_LOOK_LOCKER_MODEL_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/fit/model.hpp>

#include <string>

namespace voxflow::t1 {

inline constexpr double look_locker_rate_min = 1e-3;  // 1/s: T1* = 1000 s
inline constexpr double look_locker_rate_max = 1e3;   // 1/s: T1* = 1 ms

// The coarse rate grid of the start: 10 points per decade across the rate bounds, both ends included.
inline constexpr int look_locker_grid_per_decade = 10;
inline constexpr int look_locker_grid_points = 6 * look_locker_grid_per_decade + 1;  // 6 decades

KOKKOS_INLINE_FUNCTION double look_locker_grid_rate(int k) {
  return look_locker_rate_min * kmath::pow(10.0, static_cast<double>(k) / look_locker_grid_per_decade);
}

// Amplitudes (A, B) in closed form at a fixed rate, and the sum of squared residuals.
struct LookLockerEstimate {
  double a = 0.0, b = 0.0, rate = 0.0, sse = 0.0;
  bool ok = false;
};

template <class MemorySpace>
struct LookLockerModel {
  static constexpr int n_params = 3;            // (A, B, R1*)
  Kokkos::View<double const*, MemorySpace> ti;  // inversion times [s], strictly increasing
  double lo[n_params] = {-1e30, -1e30, look_locker_rate_min};
  double hi[n_params] = {1e30, 1e30, look_locker_rate_max};

  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(ti.extent(0)); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return lo[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return hi[i]; }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    for (int j = 0; j < n_samples(); ++j) {
      double const e = kmath::exp(-p[2] * ti(j));
      double const df[n_params] = {1.0, -e, p[1] * ti(j) * e};
      sink(j, p[0] - p[1] * e, df);
    }
    return true;
  }

  // Shared by every voxel, or empty: the start grid's exponentials exp(-rate_k TI_j) (grid point, TI), filled
  // by make_look_locker_model; a model built by hand computes them where needed and gets the same values to
  // rounding.
  Kokkos::View<double const**, MemorySpace> grid_u;

  // Linear least squares for (A, B) at a fixed rate: y = A + s u with u = exp(-rate TI) and s = -B, on
  // centred sums.
  template <class Curve>
  KOKKOS_INLINE_FUNCTION LookLockerEstimate profile(Curve const& y, double rate) const {
    return profile_of(y, rate, [&](int j) { return kmath::exp(-rate * ti(j)); });
  }

  // The same with u(j) = exp(-rate TI_j) supplied by the caller.
  template <class Curve, class Exponential>
  KOKKOS_INLINE_FUNCTION LookLockerEstimate profile_of(Curve const& y, double rate,
                                                       Exponential const& u) const {
    int const n = n_samples();
    LookLockerEstimate est;
    est.rate = rate;
    double um = 0.0, ym = 0.0, suu_raw = 0.0;
    for (int j = 0; j < n; ++j) {
      double const uj = u(j);
      um += uj / n;
      ym += y(j) / n;
      suu_raw += uj * uj;
    }
    double suu = 0.0, suy = 0.0;
    for (int j = 0; j < n; ++j) {
      double const du = u(j) - um;
      suu += du * du;
      suy += du * (y(j) - ym);
    }
    if (!(suu > 1e-14 * suu_raw)) return est;  // the exponential is flat over the TIs at this rate
    double const s = suy / suu;
    est.b = -s;
    est.a = ym - s * um;
    for (int j = 0; j < n; ++j) {
      double const r = y(j) - (est.a + s * u(j));
      est.sse += r * r;
    }
    est.ok = is_finite(est.sse) && is_finite(est.a) && is_finite(est.b);
    return est;
  }

  // Starting values: the better of (1) the integral linearisation of y' = -R1* (y - A), i.e. one regression
  // of y_j on (1, I_j, TI_j - TI_0) with I_j the cumulative trapezoid integral (as in
  // fit/exponential_models.hpp), and (2) a coarse rate grid (10 points per decade over the bounds); (A, B)
  // are profiled in closed form for both.
  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const& y, double (&p)[n_params]) const {
    int const n = n_samples();
    LookLockerEstimate best;
    bool const shared = grid_u.extent(0) > 0;
    for (int k = 0; k < look_locker_grid_points; ++k) {
      double const rate = look_locker_grid_rate(k);
      LookLockerEstimate const e =
          shared ? profile_of(y, rate, [&](int j) { return grid_u(k, j); }) : profile(y, rate);
      if (e.ok && (!best.ok || e.sse < best.sse)) best = e;
    }
    fit::LinearRegression<3> reg;
    double integral = 0.0;
    for (int j = 0; j < n; ++j) {
      if (j > 0) integral += 0.5 * (ti(j) - ti(j - 1)) * (y(j) + y(j - 1));
      double const x[3] = {1.0, integral, ti(j) - ti(0)};
      reg.add(x, y(j));
    }
    double beta[3];
    if (n >= 3 && reg.solve(beta)) {
      double const rate = -beta[1];
      if (is_finite(rate) && rate >= look_locker_rate_min && rate <= look_locker_rate_max) {
        LookLockerEstimate const e = profile(y, rate);
        if (e.ok && (!best.ok || e.sse <= best.sse)) best = e;
      }
    }
    if (best.ok) {
      p[0] = best.a;
      p[1] = best.b;
      p[2] = best.rate;
    } else {  // no usable curve: a neutral start, the fit reports what happens
      p[0] = n > 0 ? y(n - 1) : 0.0;
      p[1] = 0.0;
      p[2] = 1.0;
    }
    fit::clamp_to_bounds(*this, p);
  }
};

// The model of inversion times `ti` with the start grid's exponentials computed once, by a kernel on `space`
// (the device maths a model built by hand uses there).
template <class MemorySpace, class ExecutionSpace>
LookLockerModel<MemorySpace> make_look_locker_model(ExecutionSpace const& space,
                                                    Kokkos::View<double const*, MemorySpace> const& ti,
                                                    std::string const& label) {
  LookLockerModel<MemorySpace> m;
  m.ti = ti;
  int const n = static_cast<int>(ti.extent(0));
  auto const u =
      allocate<Kokkos::View<double**, MemorySpace>>(space, label + "::grid_u", look_locker_grid_points, n);
  Kokkos::parallel_for(
      label + "::grid_u", Kokkos::RangePolicy<ExecutionSpace>(space, 0, look_locker_grid_points),
      KOKKOS_LAMBDA(int k) {
        for (int j = 0; j < n; ++j) u(k, j) = kmath::exp(-look_locker_grid_rate(k) * ti(j));
      });
  m.grid_u = u;
  return m;
}

// Deichmann-Haase correction of the apparent T1*: T1 = T1* (B/A - 1), defined only when B/A > 1 (a real
// inversion). Returns false (and leaves t1 untouched) otherwise.
KOKKOS_INLINE_FUNCTION bool look_locker_t1(double a, double b, double rate, double& t1) {
  if (!(kmath::fabs(a) > 0.0) || !(rate > 0.0)) return false;
  double const ratio = b / a;
  if (!is_finite(ratio) || !(ratio > 1.0)) return false;
  double const value = (ratio - 1.0) / rate;
  if (!is_finite(value) || !(value > 0.0)) return false;
  t1 = value;
  return true;
}

}  // namespace voxflow::t1

#endif
