// DSC perfusion maps of many voxels from their ΔR2* curves (SPEC §5.3–5.4): the pseudo-inverses of the AIF
// matrix (deconvolution_operator.hpp, computed once on the host) are applied to every voxel as batched
// products (KokkosBlas gemm on the execution space: one for a fixed threshold, two per band of SVD components
// for oSVD); per-voxel parallel_fors then pick the oSVD threshold and extract the maps. No per-voxel SVD.
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
  Kokkos::View<double**, MemorySpace> pinv;  // one threshold: (i, frame)
  // osvd, band b = the components candidate (candidates − 1 − b) adds to the next larger threshold's:
  // left (frame, component of the band) and right (component of the band, i); empty Views for empty bands.
  std::vector<Kokkos::View<double**, MemorySpace>> band_left, band_right;
  int frames = 0, length = 0, candidates = 0, components = 0;
  double dt_s = 0.0, oscillation_bound = 0.0;
  bool adaptive = false;  // osvd: choose among the candidates per voxel
  Kokkos::View<double const*, MemorySpace> thresholds;
};

namespace detail {
// A row-major host matrix into a View of the space's own layout.
template <class MemorySpace, class Layout = typename Kokkos::View<double**, MemorySpace>::array_layout,
          class ExecutionSpace>
Kokkos::View<double**, Layout, MemorySpace> upload_matrix(ExecutionSpace const& space,
                                                          std::vector<double> const& values, int rows,
                                                          int columns, std::string const& label) {
  auto const view = allocate<Kokkos::View<double**, Layout, MemorySpace>>(space, label, rows, columns);
  auto host = Kokkos::create_mirror_view(view);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c)
      host(r, c) = values[static_cast<std::size_t>(r) * static_cast<std::size_t>(columns) +
                          static_cast<std::size_t>(c)];
  Kokkos::deep_copy(space, view, host);
  return view;
}
}  // namespace detail

template <class MemorySpace, class ExecutionSpace>
DeviceOperator<MemorySpace> upload_operator(ExecutionSpace const& space, DeconvolutionOperator const& op) {
  DeviceOperator<MemorySpace> d;
  d.frames = op.frames;
  d.length = op.length;
  d.candidates = op.candidates;
  d.dt_s = op.dt_s;
  d.oscillation_bound = op.oscillation_bound;
  d.adaptive = op.method == DeconvolutionMethod::osvd;
  d.components = op.components;
  if (d.adaptive) {
    int const k = op.components, m = op.length;
    for (int b = 0; b < op.candidates; ++b) {
      int const end = op.kept[static_cast<std::size_t>(op.candidates - 1 - b)];
      int const begin = b == 0 ? 0 : op.kept[static_cast<std::size_t>(op.candidates - b)];
      std::vector<double> left(static_cast<std::size_t>(op.frames) * (end - begin)),
          right(static_cast<std::size_t>(end - begin) * m);
      for (int c = begin; c < end; ++c) {
        for (int j = 0; j < op.frames; ++j)
          left[static_cast<std::size_t>(j) * (end - begin) + (c - begin)] =
              op.left[static_cast<std::size_t>(j) * k + c];
        for (int i = 0; i < m; ++i)
          right[static_cast<std::size_t>(c - begin) * m + i] = op.right[static_cast<std::size_t>(c) * m + i];
      }
      d.band_left.push_back(
          detail::upload_matrix<MemorySpace>(space, left, op.frames, end - begin, "voxflow::dsc::band_left"));
      d.band_right.push_back(
          detail::upload_matrix<MemorySpace>(space, right, end - begin, m, "voxflow::dsc::band_right"));
    }
  } else {
    d.pinv = detail::upload_matrix<MemorySpace>(space, op.pinv, op.length, op.frames, "voxflow::dsc::pinv");
  }
  d.thresholds = to_device<MemorySpace>(space, op.thresholds, "voxflow::dsc::thresholds");
  fence(space, "voxflow::dsc::upload_operator");
  return d;
}

// Scratch memory of deconvolve_voxels per voxel, bytes (the residue; oSVD also one band of components and
// the choice so far): callers size their chunks with it.
inline std::int64_t deconvolution_bytes_per_voxel(DeconvolutionOperator const& op) {
  return static_cast<std::int64_t>(op.length +
                                   (op.method == DeconvolutionMethod::osvd ? op.components + 5 : 0)) *
         static_cast<std::int64_t>(sizeof(double));
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

// Oscillation index of Wu et al. 2003 (Gobbel and Fike) of row v of r: Σ|r_k − 2 r_{k−1} + r_{k−2}| / (L ·
// max r); a residue without a positive value is never accepted.
template <class Residues>
KOKKOS_INLINE_FUNCTION double oscillation_index(Residues const& r, long v, int length, double peak) {
  if (!(peak > 0.0)) return 1e300;
  double sum = 0.0;
  for (int i = 2; i < length; ++i) sum += kmath::fabs(r(v, i) - 2.0 * r(v, i - 1) + r(v, i - 2));
  return sum / (static_cast<double>(length) * peak);
}

// The maximum of row v of r, and where it is.
template <class Residues>
KOKKOS_INLINE_FUNCTION double row_maximum(Residues const& r, long v, int length, int& at) {
  double peak = r(v, 0);
  at = 0;
  for (int i = 1; i < length; ++i)
    if (r(v, i) > peak) {
      peak = r(v, i);
      at = i;
    }
  return peak;
}

// What the maps need of a tissue curve: finite samples, its area, peak and arrival.
struct TissueStats {
  bool finite = true;
  double area = 0.0, peak = 0.0, arrival = 0.0;
  int peak_at = 0;
};

template <class Curves, class Times>
KOKKOS_INLINE_FUNCTION TissueStats tissue_stats(Curves const& c, Times const& times, long v, int frames) {
  TissueStats s;
  s.peak = c(v, 0);
  for (int j = 0; j < frames; ++j) {
    double const x = c(v, j);
    if (!is_finite(x)) {
      s.finite = false;
      return s;
    }
    if (j > 0) s.area += 0.5 * (x + c(v, j - 1)) * (times(j) - times(j - 1));
    if (x > s.peak) {
      s.peak = x;
      s.peak_at = j;
    }
  }
  double const level = 0.1 * s.peak;
  s.arrival = times(0);
  for (int j = s.peak_at; j > 0; --j)
    if (c(v, j - 1) < level) {
      double const c0 = c(v, j - 1), c1 = c(v, j);
      s.arrival = times(j - 1) + (level - c0) / (c1 - c0) * (times(j) - times(j - 1));
      break;
    }
  return s;
}

// The scalars every voxel's maps are made of.
struct MapScales {
  double cbf = 0.0, cbv = 0.0, dt = 0.0;
  int frames = 0, length = 0;
};

template <class MapsView, class StatusView, class Times>
KOKKOS_INLINE_FUNCTION void write_maps(MapsView const& maps, StatusView const& status, Times const& times,
                                       long v, TissueStats const& t, double r_max, int r_at, double threshold,
                                       MapScales const& k) {
  if (!t.finite || !(t.peak > 0.0) || !(r_max > 0.0)) {
    for (int c = 0; c < dsc_map_count; ++c) maps(v, c) = kmath::nan("");
    status(v) = static_cast<std::uint8_t>(t.finite ? FitStatus::flat_signal : FitStatus::non_finite_input);
    return;
  }
  maps(v, cbf) = k.cbf * r_max;
  maps(v, cbv) = k.cbv * t.area;
  maps(v, mtt) = 60.0 * maps(v, cbv) / maps(v, cbf);
  // A circulant residue past N is a negative delay (the tissue ahead of the AIF), wrapped around.
  maps(v, tmax) = (k.length > k.frames && r_at >= k.frames ? r_at - k.length : r_at) * k.dt;
  maps(v, ttp) = times(t.peak_at);
  maps(v, arrival) = t.arrival;
  maps(v, DscMapColumn::threshold) = threshold;
  status(v) = static_cast<std::uint8_t>(FitStatus::converged);
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
  detail::MapScales scales;
  scales.cbf = 6000.0 * scaling.kh / scaling.density_g_per_ml;
  scales.cbv = 100.0 * scaling.kh / scaling.density_g_per_ml / scaling.aif_integral;
  scales.dt = op.dt_s;
  scales.frames = op.frames;
  scales.length = op.length;
  int const frames = op.frames, length = op.length;
  auto const thresholds = op.thresholds;
  using Scratch = Kokkos::View<double**, typename Curves::array_layout, Mem>;
  if (!op.adaptive) {
    // One pseudo-inverse: residue(v, i) = Σ_j delta_r2(v, j) · pinv(i, j), one batched product.
    auto const residues = allocate<Scratch>(space, "voxflow::dsc::residues", n, length);
    blas_gemm(space, "N", "T", 1.0, delta_r2, op.pinv, 0.0, residues);
    Kokkos::parallel_for(
        "voxflow::dsc::perfusion_maps", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n),
        KOKKOS_LAMBDA(long v) {
          auto const t = detail::tissue_stats(delta_r2, times, v, frames);
          int r_at = 0;
          double const r_max = detail::row_maximum(residues, v, length, r_at);
          detail::write_maps(maps, status, times, v, t, r_max, r_at, thresholds(0), scales);
        });
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
