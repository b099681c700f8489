// Leakage correction of DSC ΔR2* curves, Boxerman, Schmainda and Weisskoff (AJNR 2006) — the published
// method, not osipy's variant (SPEC §5.5, §11): with the reference curve ref(t) of non-enhancing brain
// tissue,
//   ΔR2*(t) ≈ K1 · ref(t) − K2 · ∫₀ᵗ ref(τ) dτ
// is solved per voxel by linear least squares over every frame, and the corrected curve is
//   ΔR2*_corr(t) = ΔR2*(t) + K2 · ∫₀ᵗ ref(τ) dτ
// (only the leakage term is removed; the intravascular K1 term stays). K2 (1/s) > 0 for T1-dominant leakage.
// The 2 × 2 normal matrix is the same for every voxel: inverted once on the host.
#ifndef VOXFLOW_DSC_LEAKAGE_CORRECTION_HPP
#define VOXFLOW_DSC_LEAKAGE_CORRECTION_HPP

#include <voxflow/core/views.hpp>

#include <Kokkos_Core.hpp>

#include <string>
#include <vector>

namespace voxflow::dsc {

// The regressors of one reference curve, on the host: ref(t), its running trapezoid integral, and the
// inverse of the normal matrix [[Σref², −Σref·I], [−Σref·I, ΣI²]] as (a, b, c) = [[a, b], [b, c]].
struct LeakageRegressors {
  std::vector<double> reference, integral;
  double a = 0.0, b = 0.0, c = 0.0;
  bool usable = false;  // the normal matrix is invertible (the reference is not flat)
};

inline LeakageRegressors leakage_regressors(std::vector<double> const& reference,
                                            std::vector<double> const& times) {
  LeakageRegressors r;
  r.reference = reference;
  r.integral.assign(reference.size(), 0.0);
  for (std::size_t j = 1; j < reference.size(); ++j)
    r.integral[j] = r.integral[j - 1] + 0.5 * (reference[j] + reference[j - 1]) * (times[j] - times[j - 1]);
  double s11 = 0.0, s12 = 0.0, s22 = 0.0;
  for (std::size_t j = 0; j < reference.size(); ++j) {
    double const x1 = reference[j], x2 = -r.integral[j];
    s11 += x1 * x1;
    s12 += x1 * x2;
    s22 += x2 * x2;
  }
  double const det = s11 * s22 - s12 * s12;
  r.usable = det > 1e-12 * s11 * s22 && det > 0.0;
  if (r.usable) {
    r.a = s22 / det;
    r.b = -s12 / det;
    r.c = s11 / det;
  }
  return r;
}

// For every row v of `curves` (voxel, frame): out(v, ·) = [K1, K2] when out has 2 columns, or [the corrected
// curve ΔR2*(t) + K2 · ∫ref, K1, K2] when it has frames + 2. K2 in 1/s. Rows with a non-finite sample get NaN
// coefficients and an unchanged curve.
template <class ExecutionSpace, class Curves, class Out>
void fit_leakage(ExecutionSpace const& space, Curves const& curves, LeakageRegressors const& regressors,
                 Out const& out) {
  using Mem = typename ExecutionSpace::memory_space;
  static_assert(accessible_from<ExecutionSpace, Curves, Out>::value,
                "voxflow::dsc::fit_leakage: views must be accessible from the execution space");
  auto const ref = to_device<Mem>(space, regressors.reference, "voxflow::dsc::leakage::reference");
  auto const integral = to_device<Mem>(space, regressors.integral, "voxflow::dsc::leakage::integral");
  double const a = regressors.a, b = regressors.b, c = regressors.c;
  int const frames = static_cast<int>(curves.extent(1));
  bool const correct = static_cast<int>(out.extent(1)) == frames + 2;
  int const k0 = correct ? frames : 0;
  Kokkos::parallel_for(
      "voxflow::dsc::fit_leakage", Kokkos::RangePolicy<ExecutionSpace>(space, 0, curves.extent(0)),
      KOKKOS_LAMBDA(long v) {
        double b1 = 0.0, b2 = 0.0;
        bool finite = true;
        for (int j = 0; j < frames; ++j) {
          double const y = curves(v, j);
          finite = finite && is_finite(y);
          b1 += ref(j) * y;
          b2 -= integral(j) * y;
        }
        double const k1 = finite ? a * b1 + b * b2 : kmath::nan("");
        double const k2 = finite ? b * b1 + c * b2 : kmath::nan("");
        out(v, k0) = k1;
        out(v, k0 + 1) = k2;
        if (correct)
          for (int j = 0; j < frames; ++j) out(v, j) = curves(v, j) + (finite ? k2 * integral(j) : 0.0);
      });
}

}  // namespace voxflow::dsc

#endif
