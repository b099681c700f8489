// Small host <-> device helpers shared by the AIF tests (no kernels here: tests call the library's host API).
#ifndef VOXFLOW_TESTS_AIF_TEST_HELPERS_HPP
#define VOXFLOW_TESTS_AIF_TEST_HELPERS_HPP

#include <voxflow/aif/aif_curve.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

namespace voxflow::testing {

template <class ExecutionSpace>
Kokkos::View<double*, typename ExecutionSpace::memory_space> to_device(std::vector<double> const& values) {
  Kokkos::View<double*, Kokkos::HostSpace> host("test::host", values.size());
  for (std::size_t i = 0; i < values.size(); ++i) host(i) = values[i];
  return Kokkos::create_mirror_view_and_copy(typename ExecutionSpace::memory_space(), host);
}

template <class ExecutionSpace>
Kokkos::View<std::uint8_t*, typename ExecutionSpace::memory_space> mask_to_device(
    std::vector<std::uint8_t> const& m) {
  Kokkos::View<std::uint8_t*, Kokkos::HostSpace> host("test::mask", m.size());
  for (std::size_t i = 0; i < m.size(); ++i) host(i) = m[i];
  return Kokkos::create_mirror_view_and_copy(typename ExecutionSpace::memory_space(), host);
}

template <class View>
std::vector<double> to_host(View const& view) {
  auto const host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), view);
  return std::vector<double>(host.data(), host.data() + host.extent(0));
}

// The population AIF `kind` on `times` (s), computed on ExecutionSpace through the host API.
template <class ExecutionSpace>
std::vector<double> sample_aif(aif::PopulationAif kind, std::vector<double> const& times,
                               aif::AifOptions const& options) {
  using Mem = typename ExecutionSpace::memory_space;
  auto const t = to_device<ExecutionSpace>(times);
  Kokkos::View<double*, Mem> out("test::aif", times.size());
  aif::population_aif(ExecutionSpace(), kind, t, options, out);
  return to_host(out);
}

inline std::vector<double> uniform_times(double t_end, double dt) {
  std::vector<double> t;
  for (int i = 0; i * dt <= t_end + 1e-9; ++i) t.push_back(i * dt);
  return t;
}

// Parker et al. 2006 whole-blood AIF, written out independently of the library (t in s).
inline double parker_reference(double t_s) {
  double const t = t_s / 60.0, root_2pi = std::sqrt(2.0 * 3.14159265358979323846);
  double const g1 =
      0.809 / (0.0563 * root_2pi) * std::exp(-(t - 0.17046) * (t - 0.17046) / (2 * 0.0563 * 0.0563));
  double const g2 = 0.330 / (0.132 * root_2pi) * std::exp(-(t - 0.365) * (t - 0.365) / (2 * 0.132 * 0.132));
  return g1 + g2 + 1.050 * std::exp(-0.1685 * t) / (1.0 + std::exp(-38.078 * (t - 0.483)));
}

}  // namespace voxflow::testing

#endif
