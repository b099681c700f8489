// Per-voxel fit outcome codes. Kernels never throw: every voxel ends with one of these codes in a status map,
// and the code table is written beside every status map (DESIGN.md §2, §4).
#ifndef VOXFLOW_CORE_FIT_STATUS_HPP
#define VOXFLOW_CORE_FIT_STATUS_HPP

#include <Kokkos_Macros.hpp>

#include <cstdint>

namespace voxflow {

enum class FitStatus : std::uint8_t {
  converged = 0,           // a convergence test was met with every parameter inside its bounds
  converged_at_bound = 1,  // converged with at least one parameter on a bound
  max_iterations = 2,      // the iteration limit was reached first; parameters are the best point found
  non_finite_input = 3,    // the voxel's data contain NaN or Inf; parameters are NaN
  flat_signal = 4,  // the voxel's data have zero variance (e.g. all zero); fitted, but R² is undefined (0)
  singular = 5,     // the normal equations stayed singular under every damping; best point kept
  stalled = 6,      // the damping grew past its limit without reaching a convergence test
  masked_out = 7,   // the voxel is outside the mask and was not fitted
  non_finite_model = 8,  // the model produced NaN or Inf at the starting point; parameters are NaN
  invalid_m0 = 9,        // ASL: the voxel's calibration M0 is <= 0 or not finite; maps are NaN
};

inline constexpr int fit_status_count = 10;

// Stable machine-readable name of a code, used in sidecars and reports.
KOKKOS_INLINE_FUNCTION constexpr char const* fit_status_name(FitStatus s) {
  switch (s) {
    case FitStatus::converged:
      return "converged";
    case FitStatus::converged_at_bound:
      return "converged_at_bound";
    case FitStatus::max_iterations:
      return "max_iterations";
    case FitStatus::non_finite_input:
      return "non_finite_input";
    case FitStatus::flat_signal:
      return "flat_signal";
    case FitStatus::singular:
      return "singular";
    case FitStatus::stalled:
      return "stalled";
    case FitStatus::masked_out:
      return "masked_out";
    case FitStatus::non_finite_model:
      return "non_finite_model";
    case FitStatus::invalid_m0:
      return "invalid_m0";
  }
  return "unknown";
}

// Whether the fitted parameters of a voxel with this code are a usable estimate.
KOKKOS_INLINE_FUNCTION constexpr bool fit_status_usable(FitStatus s) {
  return s == FitStatus::converged || s == FitStatus::converged_at_bound || s == FitStatus::max_iterations ||
         s == FitStatus::flat_signal;
}

}  // namespace voxflow

#endif
