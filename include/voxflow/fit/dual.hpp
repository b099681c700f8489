// Forward-mode dual numbers with N partial derivatives, for the per-voxel scalar algebra that maps fitted
// parameters to the coefficients of a model (e.g. the 2CXM eigenvalues and amplitudes). The time loop then
// applies the chain rule with these exact partials, so every model keeps an analytic Jacobian without
// hand-derived formulas.
#ifndef VOXFLOW_FIT_DUAL_HPP
#define VOXFLOW_FIT_DUAL_HPP

#include <voxflow/core/kokkos_compat.hpp>

namespace voxflow::fit {

template <int N>
struct Dual {
  double v = 0.0;
  double d[N] = {};

  KOKKOS_INLINE_FUNCTION Dual() = default;
  KOKKOS_INLINE_FUNCTION Dual(double value) : v(value) {}  // NOLINT: constants convert implicitly
  // The i-th independent variable with value `value`.
  KOKKOS_INLINE_FUNCTION static Dual variable(double value, int i) {
    Dual x(value);
    x.d[i] = 1.0;
    return x;
  }
};

template <int N>
KOKKOS_INLINE_FUNCTION Dual<N> operator+(Dual<N> const& a, Dual<N> const& b) {
  Dual<N> r(a.v + b.v);
  for (int i = 0; i < N; ++i) r.d[i] = a.d[i] + b.d[i];
  return r;
}
template <int N>
KOKKOS_INLINE_FUNCTION Dual<N> operator-(Dual<N> const& a, Dual<N> const& b) {
  Dual<N> r(a.v - b.v);
  for (int i = 0; i < N; ++i) r.d[i] = a.d[i] - b.d[i];
  return r;
}
template <int N>
KOKKOS_INLINE_FUNCTION Dual<N> operator-(Dual<N> const& a) {
  Dual<N> r(-a.v);
  for (int i = 0; i < N; ++i) r.d[i] = -a.d[i];
  return r;
}
template <int N>
KOKKOS_INLINE_FUNCTION Dual<N> operator*(Dual<N> const& a, Dual<N> const& b) {
  Dual<N> r(a.v * b.v);
  for (int i = 0; i < N; ++i) r.d[i] = a.d[i] * b.v + a.v * b.d[i];
  return r;
}
template <int N>
KOKKOS_INLINE_FUNCTION Dual<N> operator/(Dual<N> const& a, Dual<N> const& b) {
  double const inv = 1.0 / b.v;
  Dual<N> r(a.v * inv);
  for (int i = 0; i < N; ++i) r.d[i] = (a.d[i] - r.v * b.d[i]) * inv;
  return r;
}
template <int N>
KOKKOS_INLINE_FUNCTION Dual<N> sqrt(Dual<N> const& a) {
  double const s = kmath::sqrt(a.v);
  Dual<N> r(s);
  double const h = s > 0.0 ? 0.5 / s : 0.0;
  for (int i = 0; i < N; ++i) r.d[i] = a.d[i] * h;
  return r;
}

}  // namespace voxflow::fit

#endif
