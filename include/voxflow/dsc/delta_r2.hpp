// DSC-MRI signal to ΔR2* (SPEC §5.1): S0 = mean of the baseline frames [first, end), ΔR2*(t) =
// −ln(S(t)/S0)/TE in 1/s. ΔR2* is used as the concentration of tissue and artery alike. A voxel whose
// baseline holds a sample ≤ 0 (or a non-finite one) has no S0: its curve is NaN and it is counted (the
// pipeline gives its maps the non-finite-input status, and refuses a subject where no voxel has a baseline).
// A later sample ≤ 0 gives a NaN sample (the voxel's maps then get the non-finite-input status).
#ifndef VOXFLOW_DSC_DELTA_R2_HPP
#define VOXFLOW_DSC_DELTA_R2_HPP

#include <voxflow/core/views.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace voxflow::dsc {

struct DeltaR2Conversion {
  double echo_time_s = 0.0;
  int baseline_begin = 0, baseline_end = 0;  // frames [begin, end)
};

struct DeltaR2Result {
  std::int64_t bad_baseline_voxels = 0;  // voxels with a baseline sample <= 0 or non-finite
  std::int64_t first_bad_voxel = -1;     // the row of the first one, -1 when none
};

// out(v, j) = −ln(signal(v, j)/S0(v))/TE. The caller checks TE > 0 and the baseline range.
template <class ExecutionSpace, class SignalView, class OutView>
DeltaR2Result signal_to_delta_r2(ExecutionSpace const& space, SignalView const& signal,
                                 DeltaR2Conversion const& conversion, OutView const& out) {
  static_assert(accessible_from<ExecutionSpace, SignalView, OutView>::value,
                "voxflow::dsc::signal_to_delta_r2: views must be accessible from the execution space");
  int const frames = static_cast<int>(signal.extent(1));
  int const b0 = conversion.baseline_begin, b1 = conversion.baseline_end;
  double const inv_te = 1.0 / conversion.echo_time_s;
  double const nan = kmath::nan("");
  long const n = static_cast<long>(signal.extent(0));
  long bad = 0, first = n;
  Kokkos::parallel_reduce(
      "voxflow::dsc::signal_to_delta_r2", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n),
      KOKKOS_LAMBDA(long v, long& n_bad, long& first_bad) {
        double s0 = 0.0;
        bool ok = true;
        for (int j = b0; j < b1; ++j) {
          double const s = signal(v, j);
          if (!(s > 0.0) || !is_finite(s)) ok = false;
          s0 += s;
        }
        s0 /= static_cast<double>(b1 - b0);
        if (!ok) {
          ++n_bad;
          if (v < first_bad) first_bad = v;
          for (int j = 0; j < frames; ++j) out(v, j) = nan;
          return;
        }
        for (int j = 0; j < frames; ++j) {
          double const s = signal(v, j);
          out(v, j) = s > 0.0 ? -kmath::log(s / s0) * inv_te : nan;
        }
      },
      bad, Kokkos::Min<long>(first));
  return {bad, bad > 0 ? first : -1};
}

}  // namespace voxflow::dsc

#endif
