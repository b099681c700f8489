// What both paths of the DSC deconvolution (deconvolve.hpp) share: the operator in the memory of an
// execution space, the scaling of the maps and the per-voxel map extraction (SPEC §5.3–5.4).
//
// Conventions (kh = 1, density = 1 give the OSIPI DSC reference's exactly):
//   r(t) = F·R(t) in 1/s, CBF = 6000 · kh/ρ · max r  (mL/100 g/min),
//   CBV = 100 · kh/ρ · ∫ΔR2*_tissue / ∫ΔR2*_AIF      (mL/100 g; trapezoid over the frame times),
//   MTT = 60 · CBV / CBF (s), Tmax = time of max r (s; circulant residues past N wrap to negative delays),
//   TTP = time of the ΔR2* peak after the first frame (s), arrival = where ΔR2* first reaches 10 % of its
//   peak before it (s, linear interpolation), threshold = the relative threshold (or λ) used.
// Status per voxel: converged; non_finite_input (a NaN/Inf sample: maps NaN); flat_signal (no positive
// ΔR2* peak or no positive residue: maps NaN).
#ifndef VOXFLOW_DSC_PERFUSION_KERNELS_HPP
#define VOXFLOW_DSC_PERFUSION_KERNELS_HPP

#include <voxflow/core/fit_status.hpp>
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
  // Every component (ssvd, csvd, osvd, L-curve tikhonov): left (frame, component) and right (component, i);
  // osvd band b covers components [band_end[b − 1] (0 for b = 0), band_end[b]). The blocked host path
  // (deconvolve_host.hpp) uses them, and the L-curve on every path with the singular values.
  Kokkos::View<double**, MemorySpace> left, right;
  std::vector<int> band_end;
  Kokkos::View<double const*, MemorySpace> singular_values;  // of the kept components
  bool lcurve = false;  // tikhonov: λ per voxel, the L-curve's corner among `thresholds`
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
  d.lcurve = op.lcurve;
  if (op.components > 0) {
    d.left =
        detail::upload_matrix<MemorySpace>(space, op.left, op.frames, op.components, "voxflow::dsc::left");
    d.right =
        detail::upload_matrix<MemorySpace>(space, op.right, op.components, op.length, "voxflow::dsc::right");
    d.singular_values = to_device<MemorySpace>(
        space, std::vector<double>(op.singular_values.begin(), op.singular_values.begin() + op.components),
        "voxflow::dsc::singular_values");
  }
  if (d.adaptive) {
    int const k = op.components, m = op.length;
    for (int b = 0; b < op.candidates; ++b) {
      int const end = op.kept[static_cast<std::size_t>(op.candidates - 1 - b)];
      int const begin = b == 0 ? 0 : op.kept[static_cast<std::size_t>(op.candidates - b)];
      d.band_end.push_back(end);
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
  } else if (!op.pinv.empty()) {  // the L-curve has no single pseudo-inverse
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

}  // namespace voxflow::dsc

#endif
