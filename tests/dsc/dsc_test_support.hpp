// Synthetic DSC curves for the kernel tests: a gamma-variate AIF and tissue curves with known CBF, CBV and
// residue, integrated on a fine grid (independent of the rectangle rule the deconvolution uses).
#ifndef VOXFLOW_TESTS_DSC_DSC_TEST_SUPPORT_HPP
#define VOXFLOW_TESTS_DSC_DSC_TEST_SUPPORT_HPP

#include <voxflow/core/fit_status.hpp>
#include <voxflow/dsc/deconvolve.hpp>

#include <cmath>
#include <vector>

namespace voxflow::testing::dsc {

inline double gamma_aif(double t, double arrival_s = 10.0) {
  double const alpha = 3.0, beta = 1.5, x = t - arrival_s;
  return x <= 0.0 ? 0.0 : 40.0 * std::pow(x / (alpha * beta), alpha) * std::exp(alpha - x / beta);
}

inline std::vector<double> frame_times(int frames, double dt_s) {
  std::vector<double> t(static_cast<std::size_t>(frames));
  for (int j = 0; j < frames; ++j) t[static_cast<std::size_t>(j)] = j * dt_s;
  return t;
}

inline std::vector<double> aif_curve(std::vector<double> const& times, double delay_s = 0.0) {
  std::vector<double> c;
  for (double t : times) c.push_back(gamma_aif(t - delay_s));
  return c;
}

enum class Residue { exponential, boxcar, gamma };

// The residue at t for a mean transit time: exp(−t/MTT); 1 for t < MTT; or that of gamma-distributed transit
// times of shape 3 (as in the OSIPI DRO), e^{−x}(1 + x + x²/2) with x = 3t/MTT, flat at t = 0.
inline double residue(Residue shape, double t, double mtt) {
  switch (shape) {
    case Residue::exponential:
      return std::exp(-t / mtt);
    case Residue::boxcar:
      return t < mtt ? 1.0 : 0.0;
    case Residue::gamma: {
      double const x = 3.0 * t / mtt;
      return std::exp(-x) * (1.0 + x + 0.5 * x * x);
    }
  }
  return 0.0;
}

// (CBF/6000) ∫ Ca(τ − delay) R(t − τ) dτ.
inline std::vector<double> tissue_curve(std::vector<double> const& times, double cbf, double cbv,
                                        double delay_s = 0.0, Residue shape = Residue::exponential) {
  double const mtt = 60.0 * cbv / cbf;
  std::vector<double> out;
  for (double t : times) {
    int const steps = std::max(100, static_cast<int>(100 * t));
    double const h = t / steps;
    double sum = 0.0;
    for (int k = 0; k <= steps && t > 0; ++k) {
      double const tau = k * h, w = (k == 0 || k == steps) ? 0.5 : 1.0;
      double const r = residue(shape, t - tau, mtt);
      sum += w * gamma_aif(tau - delay_s) * r;
    }
    out.push_back(cbf / 6000.0 * sum * h);
  }
  return out;
}

struct VoxelMaps {
  std::vector<double> values;  // dsc_map_count per voxel
  std::vector<std::uint8_t> status;
  double at(std::size_t voxel, int column) const {
    return values[voxel * voxflow::dsc::dsc_map_count + column];
  }
};

// Deconvolves `curves` (one per voxel) with the operator of `aif` on `space`, by `path`.
template <class Space>
VoxelMaps deconvolve(std::vector<std::vector<double>> const& curves, std::vector<double> const& aif,
                     std::vector<double> const& times, voxflow::dsc::DeconvolutionOptions const& options,
                     voxflow::dsc::PerfusionScaling scaling = {},
                     voxflow::dsc::DeconvolutionPath path = voxflow::dsc::DeconvolutionPath::automatic) {
  using Mem = typename Space::memory_space;
  Space const space;
  double const dt = times[1] - times[0];
  auto const op = voxflow::dsc::build_deconvolution_operator(aif, dt, options, "test");
  scaling.aif_integral = voxflow::dsc::trapezoid_integral(times, aif);
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> host("test::curves", curves.size(),
                                                                      times.size());
  for (std::size_t v = 0; v < curves.size(); ++v)
    for (std::size_t j = 0; j < times.size(); ++j) host(v, j) = curves[v][j];
  auto const device = voxflow::upload_series<Mem>(host, "test::curves");
  voxflow::Maps<Mem> maps("test::maps", curves.size(), voxflow::dsc::dsc_map_count);
  voxflow::StatusMap<Mem> status("test::status", curves.size());
  voxflow::dsc::deconvolve_voxels(space, device, voxflow::to_device<Mem>(space, times, "test::times"),
                                  voxflow::dsc::upload_operator<Mem>(space, op), scaling, maps, status, path);
  auto const hm = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), maps);
  auto const hs = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), status);
  VoxelMaps out;
  for (std::size_t v = 0; v < curves.size(); ++v) {
    for (int c = 0; c < voxflow::dsc::dsc_map_count; ++c) out.values.push_back(hm(v, c));
    out.status.push_back(hs(v));
  }
  return out;
}

}  // namespace voxflow::testing::dsc

#endif
