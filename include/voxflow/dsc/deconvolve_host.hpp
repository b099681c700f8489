// The blocked host path of deconvolve_voxels (deconvolve.hpp): one whole-chunk product per band would
// stream residues of many megabytes through memory for every oSVD candidate, so on a host space the voxels
// go in blocks of host_block_voxels, one block per thread, everything of a block staying in cache: the
// products through the host BLAS on that thread (host_blas.hpp), the residues stored voxel-fastest so the
// peak search and the oscillation index of Wu 2003 run vectorised across the voxels of the block. The same
// arithmetic as the device path, summed in another order: results agree up to rounding. Host code only
// (plain lambdas, the host BLAS): compiled only for host execution spaces.
#ifndef VOXFLOW_DSC_DECONVOLVE_HOST_HPP
#define VOXFLOW_DSC_DECONVOLVE_HOST_HPP

#include <voxflow/dsc/host_blas.hpp>
#include <voxflow/dsc/lcurve.hpp>
#include <voxflow/dsc/perfusion_kernels.hpp>

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

namespace voxflow::dsc::detail {

// Whether deconvolve_voxels takes the blocked host path: a host space and row-major curves.
template <class ExecutionSpace, class Curves>
struct blocked_on_host
    : std::integral_constant<bool,
                             std::is_same<typename ExecutionSpace::memory_space, Kokkos::HostSpace>::value &&
                                 std::is_same<typename Curves::array_layout, Kokkos::LayoutRight>::value> {};

// Voxels per block: the residues (2N = 120 samples) and components of 128 voxels take about 240 kB.
inline constexpr int host_block_voxels = 128;

// Residues r[v + i · nb] of nb voxels, in one pass: the maximum over i of each voxel and where it is (the
// first one), and unless `second_differences` is null, Σ_i |r_i − 2 r_{i−1} + r_{i−2}| (the numerator of the
// oscillation index).
inline void block_peaks(double const* r, int nb, int length, double* __restrict peak, double* __restrict at,
                        double* __restrict second_differences = nullptr) {
  for (int v = 0; v < nb; ++v) {
    peak[v] = r[v];
    at[v] = 0.0;
  }
  if (second_differences)
    for (int v = 0; v < nb; ++v) second_differences[v] = 0.0;
  for (int i = 1; i < length; ++i) {
    double const* __restrict ri = r + static_cast<long>(i) * nb;
    double const position = i;
    for (int v = 0; v < nb; ++v) {
      bool const higher = ri[v] > peak[v];
      peak[v] = higher ? ri[v] : peak[v];
      at[v] = higher ? position : at[v];
    }
    if (second_differences && i >= 2) {
      double const* __restrict r1 = ri - nb;
      double const* __restrict r0 = r1 - nb;
      for (int v = 0; v < nb; ++v) second_differences[v] += std::fabs(ri[v] - 2.0 * r1[v] + r0[v]);
    }
  }
}

template <class ExecutionSpace, class Curves, class MapsView, class StatusView>
void deconvolve_voxels_on_host(ExecutionSpace const& space, Curves const& delta_r2,
                               Kokkos::View<double const*, Kokkos::HostSpace> const& times,
                               DeviceOperator<Kokkos::HostSpace> const& op, MapScales const& scales,
                               MapsView const& maps, StatusView const& status) {
  long const n = static_cast<long>(delta_r2.extent(0));
  int const frames = op.frames, length = op.length, components = op.components;
  int const ld_curves = static_cast<int>(delta_r2.stride(0));
  // A truncated pseudo-inverse of low rank is cheaper applied in its two factors.
  static_assert(std::is_same<typename decltype(op.left)::array_layout, Kokkos::LayoutRight>::value,
                "voxflow::dsc: the host path reads the operator row-major");
  bool const factored = !op.adaptive && !op.lcurve && components > 0 &&
                        frames * components + components * length < frames * length;
  long const blocks = (n + host_block_voxels - 1) / host_block_voxels;
  SingleThreadedHostBlas const single_threaded;
  auto block_maps = [&](long v0, int nb, double const* peak, double const* at, double const* threshold) {
    for (int v = 0; v < nb; ++v) {
      auto const t = tissue_stats(delta_r2, times, v0 + v, frames);
      write_maps(maps, status, times, v0 + v, t, peak[v], static_cast<int>(at[v]), threshold[v], scales);
    }
  };
  Kokkos::parallel_for(
      "voxflow::dsc::deconvolve_blocks",
      // Dynamic: oSVD blocks differ in cost (how many candidates they judge), and a shared machine's
      // threads in speed.
      Kokkos::RangePolicy<ExecutionSpace, Kokkos::Schedule<Kokkos::Dynamic>>(space, 0, blocks), [&](long b) {
        constexpr int B = host_block_voxels;
        thread_local std::vector<double> scratch;
        long const v0 = b * B;
        int const nb = static_cast<int>(std::min<long>(B, n - v0));
        scratch.resize(static_cast<std::size_t>(nb) * (components + length) + 9 * B);
        double* const y = scratch.data();                          // (voxel, component), voxel-fastest
        double* const r = y + static_cast<long>(nb) * components;  // (voxel, i), voxel-fastest
        double* const peak = r + static_cast<long>(nb) * length;
        double *const at = peak + B, *const sum = at + B, *const threshold = sum + B;
        double const* const c = delta_r2.data() + v0 * ld_curves;
        if (op.lcurve) {
          host_gemm('T', 'T', nb, components, frames, 1.0, c, ld_curves, op.left.data(),
                    static_cast<int>(op.left.stride(0)), 0.0, y, nb);
          for (int v = 0; v < nb; ++v)
            threshold[v] = op.thresholds(lcurve_filter(StridedCoefficients{y + v, nb}, op.singular_values,
                                                       components, op.thresholds, op.candidates));
          host_gemm('N', 'T', nb, length, components, 1.0, y, nb, op.right.data(),
                    static_cast<int>(op.right.stride(0)), 0.0, r, nb);
          block_peaks(r, nb, length, peak, at);
          block_maps(v0, nb, peak, at, threshold);
          return;
        }
        if (!op.adaptive) {
          if (factored) {
            host_gemm('T', 'T', nb, components, frames, 1.0, c, ld_curves, op.left.data(),
                      static_cast<int>(op.left.stride(0)), 0.0, y, nb);
            host_gemm('N', 'T', nb, length, components, 1.0, y, nb, op.right.data(),
                      static_cast<int>(op.right.stride(0)), 0.0, r, nb);
          } else {
            host_gemm('T', 'N', nb, length, frames, 1.0, c, ld_curves, op.pinv.data(),
                      static_cast<int>(op.pinv.stride(0)), 0.0, r, nb);
          }
          block_peaks(r, nb, length, peak, at);
          std::fill(threshold, threshold + nb, op.thresholds(0));
          block_maps(v0, nb, peak, at, threshold);
          return;
        }
        // oSVD, from the least truncation down: the residues of every component (two products), then band
        // by band the smallest singular values taken away again (one product each). The first candidate
        // within the oscillation bound wins (Wu 2003: the least truncation); none: the largest threshold,
        // the last one. A block stops as soon as each of its voxels has its candidate; at low noise that is
        // the first.
        double *const chosen_peak = threshold + B, *const chosen_at = chosen_peak + B;
        double* const decided = chosen_at + B;
        host_gemm('T', 'T', nb, components, frames, 1.0, c, ld_curves, op.left.data(),
                  static_cast<int>(op.left.stride(0)), 0.0, y, nb);
        host_gemm('N', 'T', nb, length, components, 1.0, y, nb, op.right.data(),
                  static_cast<int>(op.right.stride(0)), 0.0, r, nb);
        std::fill(decided, decided + nb, 0.0);
        int open = nb;
        for (int k = 0; k < op.candidates && open > 0; ++k) {
          // Candidate k keeps components [0, kept(k)); band_end lists the kept counts largest threshold
          // first.
          int const kept = op.band_end[static_cast<std::size_t>(op.candidates - 1 - k)];
          int const before = k == 0 ? components : op.band_end[static_cast<std::size_t>(op.candidates - k)];
          bool const last = k + 1 == op.candidates;
          if (before > kept)
            host_gemm('N', 'T', nb, length, before - kept, -1.0, y + static_cast<long>(kept) * nb, nb,
                      op.right.data() + static_cast<long>(kept) * op.right.stride(0),
                      static_cast<int>(op.right.stride(0)), 1.0, r, nb);
          else if (k > 0 && !last)
            continue;  // the residue of the previous candidate, already judged
          block_peaks(r, nb, length, peak, at, sum);
          for (int v = 0; v < nb; ++v) {
            // As oscillation_index: a residue without a positive value is never accepted.
            double const index = peak[v] > 0.0 ? sum[v] / (static_cast<double>(length) * peak[v]) : 1e300;
            if (decided[v] == 0.0 && (index < op.oscillation_bound || last)) {
              decided[v] = 1.0;
              --open;
              threshold[v] = op.thresholds(k);
              chosen_peak[v] = peak[v];
              chosen_at[v] = at[v];
            }
          }
        }
        block_maps(v0, nb, chosen_peak, chosen_at, threshold);
      });
  space.fence();
}

}  // namespace voxflow::dsc::detail

#endif
