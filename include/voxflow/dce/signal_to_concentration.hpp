// SPGR signal to contrast-agent concentration (SPEC §4.3, reference README §2):
//   S_pre = mean of the baseline frames,  M0 = S_pre (1 - cos a E10) / (sin a (1 - E10)),  E10 = exp(-TR
//   R10), E(t) = (M0 sin a - S) / (M0 sin a - S cos a),  R1(t) = -ln E(t) / TR,  C = (R1(t) - R10) / r1.
// Unlike osipy, E is not clipped and negative concentrations are kept (clipping biases the noise floor, SPEC
// §10): a sample whose signal cannot come from an SPGR acquisition (E outside (0, 1)) becomes NaN, so the
// voxel's fit later reports non_finite_input instead of fitting invented numbers.
#ifndef VOXFLOW_DCE_SIGNAL_TO_CONCENTRATION_HPP
#define VOXFLOW_DCE_SIGNAL_TO_CONCENTRATION_HPP

#include <voxflow/core/errors.hpp>
#include <voxflow/core/units.hpp>
#include <voxflow/core/views.hpp>

#include <string>

namespace voxflow::dce {

struct SpgrConversion {
  double flip_angle_deg = 0.0;
  double tr_s = 0.0;
  double relaxivity = 4.5;  // r1, 1/(mM s)
  int baseline_begin = 0;   // baseline frames [begin, end); the OSIPI convention skips frame 0: begin = 1
  int baseline_end = 5;
  double assumed_t1_s = 0.0;  // used when no per-voxel T1 map is given
};

// Host-side checks of the acquisition parameters; `source` names the configuration or file in errors.
void validate_spgr_conversion(SpgrConversion const& c, int n_frames, bool have_t1_map,
                              std::string const& source);

// Converts every voxel's signal (voxel, time) to concentration (mM); `t1_s` holds one T1 per voxel or is
// empty (then assumed_t1_s is used). `delta_r1` (same shape, may be empty) receives R1(t) - R10 in 1/s.
template <class ExecutionSpace, class MemorySpace>
void signal_to_concentration(ExecutionSpace const& space, Series<MemorySpace> const& signal,
                             Kokkos::View<double const*, MemorySpace> const& t1_s, SpgrConversion const& c,
                             Series<MemorySpace> const& concentration,
                             Series<MemorySpace> const& delta_r1 = {}) {
  static_assert(Kokkos::SpaceAccessibility<ExecutionSpace, MemorySpace>::accessible,
                "voxflow::dce::signal_to_concentration: views must be accessible from the execution space");
  int const n_frames = static_cast<int>(signal.extent(1));
  validate_spgr_conversion(c, n_frames, t1_s.extent(0) > 0, "signal_to_concentration");
  double const alpha = c.flip_angle_deg * units::degrees_to_radians;
  double const cos_a = kmath::cos(alpha);  // sin a cancels: only M0 sin a appears
  bool const write_dr1 = delta_r1.extent(0) > 0;
  Kokkos::parallel_for(
      "voxflow::dce::signal_to_concentration",
      Kokkos::RangePolicy<ExecutionSpace>(space, 0, static_cast<int>(signal.extent(0))),
      KOKKOS_LAMBDA(int v) {
        double const t1 = t1_s.extent(0) > 0 ? t1_s(v) : c.assumed_t1_s;
        double const r10 = 1.0 / t1;
        double s_pre = 0.0;
        for (int j = c.baseline_begin; j < c.baseline_end; ++j) s_pre += signal(v, j);
        s_pre /= (c.baseline_end - c.baseline_begin);
        double const e10 = kmath::exp(-c.tr_s * r10);
        double const m0_sin = s_pre * (1.0 - cos_a * e10) / (1.0 - e10);  // M0 sin a
        for (int j = 0; j < n_frames; ++j) {
          double const s = signal(v, j);
          double const e = (m0_sin - s) / (m0_sin - s * cos_a);
          double const r1 = (e > 0.0 && e < 1.0 && t1 > 0.0) ? -kmath::log(e) / c.tr_s : kmath::nan("");
          concentration(v, j) = (r1 - r10) / c.relaxivity;
          if (write_dr1) delta_r1(v, j) = r1 - r10;
        }
      });
}

}  // namespace voxflow::dce

#endif
