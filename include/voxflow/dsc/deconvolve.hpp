// DSC perfusion maps of many voxels from their ΔR2* curves (SPEC §5.3–5.4): the pseudo-inverses of the AIF
// matrix (deconvolution_operator.hpp, computed once on the host) are applied to every voxel as one batched
// product (KokkosBlas gemm on the execution space); one parallel_for per voxel then picks the oSVD threshold
// and extracts the maps. No per-voxel SVD.
//
// Conventions (kh = 1, density = 1 give the OSIPI DSC reference's exactly):
//   r(t) = F·R(t) in 1/s, CBF = 6000 · kh/ρ · max r  (mL/100 g/min),
//   CBV = 100 · kh/ρ · ∫ΔR2*_tissue / ∫ΔR2*_AIF      (mL/100 g; trapezoid over the frame times),
//   MTT = 60 · CBV / CBF (s), Tmax = time of max r (s; circulant residues past N wrap to negative delays),
//   TTP = time of the ΔR2* peak after the first frame (s), arrival = where ΔR2* first reaches 10 % of its
//   peak before it (s, linear interpolation), threshold = the relative threshold (or λ) used.
// Status per voxel: converged; non_finite_input (a NaN/Inf sample: maps NaN); flat_signal (no positive
// ΔR2* peak or no positive residue: maps NaN).
#ifndef VOXFLOW_DSC_DECONVOLVE_HPP
#define VOXFLOW_DSC_DECONVOLVE_HPP

#include <voxflow/core/fit_status.hpp>
#include <voxflow/core/kokkos_kernels_compat.hpp>
#include <voxflow/core/views.hpp>
#include <voxflow/dsc/deconvolution_operator.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::dsc {

// Columns of the maps the kernel writes, in order.
enum DscMapColumn : int { cbf = 0, cbv, mtt, tmax, ttp, arrival, threshold, dsc_map_count };

// The operator of deconvolution_operator.hpp in the memory of an execution space.
template <class MemorySpace>
struct DeviceOperator {
  Kokkos::View<double**, MemorySpace> pinv;  // (candidate · length + i, frame)
  int frames = 0, length = 0, candidates = 0;
  double dt_s = 0.0, oscillation_bound = 0.0;
  bool adaptive = false;  // osvd: choose among the candidates per voxel
  Kokkos::View<double const*, MemorySpace> thresholds;
};

template <class MemorySpace, class ExecutionSpace>
DeviceOperator<MemorySpace> upload_operator(ExecutionSpace const& space, DeconvolutionOperator const& op) {
  DeviceOperator<MemorySpace> d;
  d.frames = op.frames;
  d.length = op.length;
  d.candidates = op.candidates;
  d.dt_s = op.dt_s;
  d.oscillation_bound = op.oscillation_bound;
  d.adaptive = op.method == DeconvolutionMethod::osvd;
  d.pinv = allocate<Kokkos::View<double**, MemorySpace>>(space, "voxflow::dsc::pinv",
                                                         op.candidates * op.length, op.frames);
  auto host = Kokkos::create_mirror_view(d.pinv);
  for (int r = 0; r < op.candidates * op.length; ++r)
    for (int j = 0; j < op.frames; ++j)
      host(r, j) = op.pinv[static_cast<std::size_t>(r) * op.frames + static_cast<std::size_t>(j)];
  Kokkos::deep_copy(space, d.pinv, host);
  d.thresholds = to_device<MemorySpace>(space, op.thresholds, "voxflow::dsc::thresholds");
  fence(space, "voxflow::dsc::upload_operator");
  return d;
}

// Scratch memory of deconvolve_voxels per voxel, bytes (the residues of every candidate): callers size
// their chunks with it.
inline std::int64_t deconvolution_bytes_per_voxel(DeconvolutionOperator const& op) {
  return static_cast<std::int64_t>(op.candidates) * op.length * static_cast<std::int64_t>(sizeof(double));
}

struct PerfusionScaling {
  double kh = 1.0;                // hematocrit factor (1 − Hct_large) / (1 − Hct_small)
  double density_g_per_ml = 1.0;  // brain density
  double aif_integral = 1.0;      // ∫ΔR2*_AIF dt over the frame times (trapezoid), 1/s · s
};

// Trapezoid integral of a curve over `times` (host).
inline double trapezoid_integral(std::vector<double> const& times, std::vector<double> const& curve) {
  double sum = 0.0;
  for (std::size_t j = 1; j < times.size(); ++j)
    sum += 0.5 * (curve[j] + curve[j - 1]) * (times[j] - times[j - 1]);
  return sum;
}

namespace detail {

// Oscillation index of Wu et al. 2003 (Gobbel and Fike): Σ|r_k − 2 r_{k−1} + r_{k−2}| / (L · max r).
template <class Residues>
KOKKOS_INLINE_FUNCTION double oscillation_index(Residues const& r, long v, int offset, int length) {
  double peak = r(v, offset);
  for (int i = 1; i < length; ++i) peak = max_of(peak, r(v, offset + i));
  if (!(peak > 0.0)) return 1e300;  // no positive residue: never accepted
  double sum = 0.0;
  for (int i = 2; i < length; ++i)
    sum += kmath::fabs(r(v, offset + i) - 2.0 * r(v, offset + i - 1) + r(v, offset + i - 2));
  return sum / (static_cast<double>(length) * peak);
}

}  // namespace detail

// maps(v, c) for c in DscMapColumn and status(v), for every row v of `delta_r2` (voxel, frame). `times` are
// the frame times relative to the first frame, s. Allocates the residues of every candidate (see
// deconvolution_bytes_per_voxel).
template <class ExecutionSpace, class Curves, class MapsView, class StatusView>
void deconvolve_voxels(ExecutionSpace const& space, Curves const& delta_r2,
                       Kokkos::View<double const*, typename ExecutionSpace::memory_space> const& times,
                       DeviceOperator<typename ExecutionSpace::memory_space> const& op,
                       PerfusionScaling const& scaling, MapsView const& maps, StatusView const& status) {
  using Mem = typename ExecutionSpace::memory_space;
  static_assert(accessible_from<ExecutionSpace, Curves, MapsView, StatusView>::value,
                "voxflow::dsc::deconvolve_voxels: views must be accessible from the execution space");
  ScopedRegion region("voxflow::dsc::deconvolve_voxels");
  long const n = static_cast<long>(delta_r2.extent(0));
  if (n == 0) return;
  // The batched product: residues(v, candidate · length + i) = Σ_j delta_r2(v, j) · pinv(candidate · length +
  // i, j).
  using Residues = Kokkos::View<double**, typename Curves::array_layout, Mem>;
  auto const residues =
      allocate<Residues>(space, "voxflow::dsc::residues", n, static_cast<long>(op.candidates) * op.length);
  blas_gemm(space, "N", "T", 1.0, delta_r2, op.pinv, 0.0, residues);

  int const frames = op.frames, length = op.length, candidates = op.candidates;
  bool const adaptive = op.adaptive, circulant = op.length > op.frames;
  double const dt = op.dt_s, bound = op.oscillation_bound;
  double const cbf_scale = 6000.0 * scaling.kh / scaling.density_g_per_ml;
  double const cbv_scale = 100.0 * scaling.kh / scaling.density_g_per_ml / scaling.aif_integral;
  auto const thresholds = op.thresholds;
  Kokkos::parallel_for(
      "voxflow::dsc::perfusion_maps", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n),
      KOKKOS_LAMBDA(long v) {
        double const nan = kmath::nan("");
        auto write_nan = [&](FitStatus s) {
          for (int c = 0; c < dsc_map_count; ++c) maps(v, c) = nan;
          status(v) = static_cast<std::uint8_t>(s);
        };
        // The tissue curve: finite samples, its area, peak and arrival.
        double area = 0.0, peak = delta_r2(v, 0);
        int peak_at = 0;
        for (int j = 0; j < frames; ++j) {
          double const c = delta_r2(v, j);
          if (!is_finite(c)) return write_nan(FitStatus::non_finite_input);
          if (j > 0) area += 0.5 * (c + delta_r2(v, j - 1)) * (times(j) - times(j - 1));
          if (c > peak) {
            peak = c;
            peak_at = j;
          }
        }
        if (!(peak > 0.0)) return write_nan(FitStatus::flat_signal);
        // The residue: the first candidate (smallest threshold) whose oscillation index is within the bound.
        int chosen = candidates - 1;
        if (adaptive)
          for (int k = 0; k < candidates - 1; ++k)
            if (detail::oscillation_index(residues, v, k * length, length) < bound) {
              chosen = k;
              break;
            }
        int const offset = chosen * length;
        double r_max = residues(v, offset);
        int r_at = 0;
        for (int i = 1; i < length; ++i)
          if (residues(v, offset + i) > r_max) {
            r_max = residues(v, offset + i);
            r_at = i;
          }
        if (!(r_max > 0.0)) return write_nan(FitStatus::flat_signal);
        double const level = 0.1 * peak;
        double arrival = times(0);
        for (int j = peak_at; j > 0; --j)
          if (delta_r2(v, j - 1) < level) {
            double const c0 = delta_r2(v, j - 1), c1 = delta_r2(v, j);
            arrival = times(j - 1) + (level - c0) / (c1 - c0) * (times(j) - times(j - 1));
            break;
          }
        maps(v, cbf) = cbf_scale * r_max;
        maps(v, cbv) = cbv_scale * area;
        maps(v, mtt) = 60.0 * maps(v, cbv) / maps(v, cbf);
        maps(v, tmax) = (circulant && r_at >= frames ? r_at - length : r_at) * dt;
        maps(v, ttp) = times(peak_at);
        maps(v, DscMapColumn::arrival) = arrival;
        maps(v, DscMapColumn::threshold) = thresholds(chosen);
        status(v) = static_cast<std::uint8_t>(FitStatus::converged);
      });
}

}  // namespace voxflow::dsc

#endif
