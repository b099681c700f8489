// DSC perfusion maps of many voxels from their ΔR2* curves (SPEC §5.3–5.4): the pseudo-inverses of the AIF
// matrix (deconvolution_operator.hpp, computed once on the host) are applied to every voxel as batched
// products, followed by per-voxel threshold selection and map extraction. No per-voxel SVD. Two paths with
// the same results (up to rounding):
//   - device (any space): whole-chunk KokkosBlas gemms (one for a fixed threshold, two per band of SVD
//     components for oSVD), each followed by a parallel_for over the voxels;
//   - host (Serial, OpenMP; deconvolve_host.hpp): blocks of voxels small enough to stay in cache, one block
//     per thread, each through the single-threaded host BLAS, the oSVD judging vectorised across voxels.
// Conventions and statuses: perfusion_kernels.hpp.
#ifndef VOXFLOW_DSC_DECONVOLVE_HPP
#define VOXFLOW_DSC_DECONVOLVE_HPP

#include <voxflow/core/kokkos_kernels_compat.hpp>
#include <voxflow/dsc/deconvolve_host.hpp>
#include <voxflow/dsc/lcurve.hpp>
#include <voxflow/dsc/perfusion_kernels.hpp>

#include <Kokkos_Core.hpp>

#include <string>

namespace voxflow::dsc {

// Which path deconvolve_voxels takes: automatic (blocked on a host space, batched elsewhere) or batched
// everywhere (the tests compare the two on the host).
enum class DeconvolutionPath { automatic, batched };

namespace detail {

// Every voxel's maps from its residues (voxel, i): the threshold of candidate chosen(v) (all 0 when
// `chosen` is empty).
template <class ExecutionSpace, class Curves, class Residues, class MapsView, class StatusView>
void maps_from_residues(ExecutionSpace const& space, Curves const& delta_r2,
                        Kokkos::View<double const*, typename ExecutionSpace::memory_space> const& times,
                        Residues const& residues,
                        Kokkos::View<double const*, typename ExecutionSpace::memory_space> const& thresholds,
                        Kokkos::View<int*, typename ExecutionSpace::memory_space> const& chosen,
                        MapScales const& scales, MapsView const& maps, StatusView const& status) {
  int const frames = scales.frames, length = scales.length;
  bool const per_voxel = chosen.extent(0) > 0;
  Kokkos::parallel_for(
      "voxflow::dsc::perfusion_maps",
      Kokkos::RangePolicy<ExecutionSpace>(space, 0, static_cast<long>(delta_r2.extent(0))),
      KOKKOS_LAMBDA(long v) {
        auto const t = tissue_stats(delta_r2, times, v, frames);
        int r_at = 0;
        double const r_max = row_maximum(residues, v, length, r_at);
        write_maps(maps, status, times, v, t, r_max, r_at, thresholds(per_voxel ? chosen(v) : 0), scales);
      });
}

}  // namespace detail

// maps(v, c) for c in DscMapColumn and status(v), for every row v of `delta_r2` (voxel, frame). `times` are
// the frame times relative to the first frame, s. Allocates the residues of every candidate (see
// deconvolution_bytes_per_voxel).
template <class ExecutionSpace, class Curves, class MapsView, class StatusView>
void deconvolve_voxels(ExecutionSpace const& space, Curves const& delta_r2,
                       Kokkos::View<double const*, typename ExecutionSpace::memory_space> const& times,
                       DeviceOperator<typename ExecutionSpace::memory_space> const& op,
                       PerfusionScaling const& scaling, MapsView const& maps, StatusView const& status,
                       DeconvolutionPath path = DeconvolutionPath::automatic) {
  using Mem = typename ExecutionSpace::memory_space;
  static_assert(accessible_from<ExecutionSpace, Curves, MapsView, StatusView>::value,
                "voxflow::dsc::deconvolve_voxels: views must be accessible from the execution space");
  ScopedRegion region("voxflow::dsc::deconvolve_voxels");
  long const n = static_cast<long>(delta_r2.extent(0));
  if (n == 0) return;
  detail::MapScales scales;
  scales.cbf = 6000.0 * scaling.kh / scaling.density_g_per_ml;
  scales.cbv = 100.0 * scaling.kh / scaling.density_g_per_ml / scaling.aif_integral;
  scales.dt = op.dt_s;
  scales.frames = op.frames;
  scales.length = op.length;
  if constexpr (detail::blocked_on_host<ExecutionSpace, Curves>::value) {
    if (path == DeconvolutionPath::automatic) {
      detail::deconvolve_voxels_on_host(space, delta_r2, times, op, scales, maps, status);
      return;
    }
  }
  int const frames = op.frames, length = op.length;
  auto const thresholds = op.thresholds;
  using Scratch = Kokkos::View<double**, typename Curves::array_layout, Mem>;
  if (op.lcurve) {
    // Tikhonov with the L-curve: the coefficients of every voxel (one product), λ chosen and applied per
    // voxel, the residues (a second product).
    int const components = op.components, count = op.candidates;
    auto const y = allocate<Scratch>(space, "voxflow::dsc::coefficients", n, components);
    blas_gemm(space, "N", "N", 1.0, delta_r2, op.left, 0.0, y);
    auto const chosen = allocate<Kokkos::View<int*, Mem>>(space, "voxflow::dsc::lambda_index", n);
    auto const s = op.singular_values;
    Kokkos::parallel_for(
        "voxflow::dsc::lcurve", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n), KOKKOS_LAMBDA(long v) {
          detail::StridedCoefficients const c{&y(v, 0), static_cast<long>(y.stride(1))};
          chosen(v) = detail::lcurve_filter(c, s, components, thresholds, count);
        });
    auto const residues = allocate<Scratch>(space, "voxflow::dsc::residues", n, length);
    blas_gemm(space, "N", "N", 1.0, y, op.right, 0.0, residues);
    detail::maps_from_residues(space, delta_r2, times, residues, thresholds, chosen, scales, maps, status);
    return;
  }
  if (!op.adaptive) {
    // One pseudo-inverse: residue(v, i) = Σ_j delta_r2(v, j) · pinv(i, j), one batched product.
    auto const residues = allocate<Scratch>(space, "voxflow::dsc::residues", n, length);
    blas_gemm(space, "N", "T", 1.0, delta_r2, op.pinv, 0.0, residues);
    detail::maps_from_residues(space, delta_r2, times, residues, thresholds, Kokkos::View<int*, Mem>(),
                               scales, maps, status);
    return;
  }
  // oSVD: the residue of every voxel grows band by band of SVD components (largest singular values first),
  // each band two batched products, residue += (curves · left_b) · right_b. After band b it is the residue of
  // candidate (candidates − 1 − b), judged per voxel: the last candidate within the oscillation bound (the
  // least truncation) wins; none within it: the largest threshold (the first band).
  int const candidates = op.candidates;
  double const bound = op.oscillation_bound;
  auto const residues = Scratch(Kokkos::view_alloc(space, std::string("voxflow::dsc::residues")), n,
                                length);  // zeroed: empty sum
  // choice(v, ·) = chosen candidate (−1: none yet), its max r, its argmax, the fallback max r and argmax.
  auto const choice = allocate<Scratch>(space, "voxflow::dsc::choice", n, 5);
  for (int b = 0; b < candidates; ++b) {
    int const candidate = candidates - 1 - b;
    if (op.band_left[static_cast<std::size_t>(b)].extent(1) > 0) {
      auto const y = allocate<Scratch>(space, "voxflow::dsc::band", n,
                                       op.band_left[static_cast<std::size_t>(b)].extent(1));
      blas_gemm(space, "N", "N", 1.0, delta_r2, op.band_left[static_cast<std::size_t>(b)], 0.0, y);
      blas_gemm(space, "N", "N", 1.0, y, op.band_right[static_cast<std::size_t>(b)], 1.0, residues);
    }
    Kokkos::parallel_for(
        "voxflow::dsc::osvd_judge", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n), KOKKOS_LAMBDA(long v) {
          int at = 0;
          double const peak = detail::row_maximum(residues, v, length, at);
          if (b == 0) {
            choice(v, 0) = -1.0;
            choice(v, 3) = peak;
            choice(v, 4) = at;
          }
          if (detail::oscillation_index(residues, v, length, peak) < bound) {
            choice(v, 0) = candidate;
            choice(v, 1) = peak;
            choice(v, 2) = at;
          }
        });
  }
  Kokkos::parallel_for(
      "voxflow::dsc::osvd_maps", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n), KOKKOS_LAMBDA(long v) {
        auto const t = detail::tissue_stats(delta_r2, times, v, frames);
        int const chosen = static_cast<int>(choice(v, 0));
        if (chosen < 0)
          detail::write_maps(maps, status, times, v, t, choice(v, 3), static_cast<int>(choice(v, 4)),
                             thresholds(candidates - 1), scales);
        else
          detail::write_maps(maps, status, times, v, t, choice(v, 1), static_cast<int>(choice(v, 2)),
                             thresholds(chosen), scales);
      });
}

}  // namespace voxflow::dsc

#endif
