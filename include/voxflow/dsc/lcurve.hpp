// Tikhonov deconvolution with λ chosen per voxel by the L-curve (Hansen 1992): the corner of the curve
// (log ‖A r_λ − c‖, log ‖r_λ‖) over λ, its point of maximum curvature. In the SVD basis of the AIF matrix,
// with y_c = (Uᵀc)_c / s_c and the Tikhonov filter f_c = s_c² / (s_c² + λ²), both norms are sums over the
// components: ‖r_λ‖² = Σ (f_c y_c)², ‖A r_λ − c‖² = Σ ((1 − f_c) s_c y_c)² (the causal matrix is square,
// so c has no part outside its range). Every λ of the grid costs O(components) per voxel and the solution is
// one more product, r = V (f ∘ y). Per voxel rather than per subject because the corner moves with the
// noise of the curve being deconvolved: a λ chosen on an averaged curve would be too small for single voxels.
#ifndef VOXFLOW_DSC_LCURVE_HPP
#define VOXFLOW_DSC_LCURVE_HPP

#include <voxflow/core/kokkos_compat.hpp>

#include <Kokkos_Core.hpp>

#include <cmath>
#include <vector>

namespace voxflow::dsc {

// The candidate λ of the L-curve, relative to s_max: log-spaced from 10⁻³ to 1, ascending.
inline std::vector<double> lcurve_lambdas() {
  constexpr int count = 31;
  std::vector<double> lambdas;
  for (int g = 0; g < count; ++g) lambdas.push_back(std::pow(10.0, -3.0 + 3.0 * g / (count - 1)));
  return lambdas;
}

namespace detail {

// One voxel's coefficients y_c = (Uᵀc)_c / s_c, strided in memory.
struct StridedCoefficients {
  double* first = nullptr;
  long stride = 1;
  KOKKOS_INLINE_FUNCTION double& operator()(int c) const { return first[c * stride]; }
};

// log ‖r_λ‖ and log ‖A r_λ − c‖ (halved logs of the squares, floored away from log 0).
template <class SingularValues>
KOKKOS_INLINE_FUNCTION void lcurve_point(StridedCoefficients const& y, SingularValues const& s,
                                         int components, double lambda, double& log_solution,
                                         double& log_residual) {
  double solution = 0.0, residual = 0.0;
  double const lambda2 = lambda * lambda;
  for (int c = 0; c < components; ++c) {
    double const s2 = s(c) * s(c), f = s2 / (s2 + lambda2), yc = y(c);
    solution += f * f * yc * yc;
    residual += (1.0 - f) * (1.0 - f) * s2 * yc * yc;
  }
  log_solution = 0.5 * kmath::log(solution + 1e-300);
  log_residual = 0.5 * kmath::log(residual + 1e-300);
}

// The index of the grid λ (relative to s_max, ascending, log-spaced) at the L-curve's corner, and y filtered
// in place by it. The curvature of the curve parametrised by the grid index (uniform in log λ), by central
// differences; the ends of the grid have none and are never chosen.
template <class SingularValues, class Lambdas>
KOKKOS_INLINE_FUNCTION int lcurve_filter(StridedCoefficients const& y, SingularValues const& s,
                                         int components, Lambdas const& relative_lambdas, int count) {
  double const s_max = s(0);
  double x0 = 0.0, z0 = 0.0, x1 = 0.0, z1 = 0.0, x2 = 0.0, z2 = 0.0;
  lcurve_point(y, s, components, relative_lambdas(0) * s_max, z0, x0);
  lcurve_point(y, s, components, relative_lambdas(1) * s_max, z1, x1);
  int best = count / 2;
  double best_curvature = -1e300;
  for (int g = 1; g + 1 < count; ++g) {
    lcurve_point(y, s, components, relative_lambdas(g + 1) * s_max, z2, x2);
    double const dx = 0.5 * (x2 - x0), dz = 0.5 * (z2 - z0);
    double const ddx = x2 - 2.0 * x1 + x0, ddz = z2 - 2.0 * z1 + z0;
    double const speed = dx * dx + dz * dz;
    double const curvature = speed > 0.0 ? (dx * ddz - ddx * dz) / (speed * kmath::sqrt(speed)) : -1e300;
    if (curvature > best_curvature) {
      best_curvature = curvature;
      best = g;
    }
    x0 = x1;
    z0 = z1;
    x1 = x2;
    z1 = z2;
  }
  double const lambda = relative_lambdas(best) * s_max;
  for (int c = 0; c < components; ++c) {
    double const s2 = s(c) * s(c);
    y(c) *= s2 / (s2 + lambda * lambda);
  }
  return best;
}

}  // namespace detail
}  // namespace voxflow::dsc

#endif
