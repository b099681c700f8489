// Shared pieces of the DCE tests: a Parker-like AIF on a chosen grid and host <-> device helpers.
#ifndef VOXFLOW_TESTS_DCE_TEST_SUPPORT_HPP
#define VOXFLOW_TESTS_DCE_TEST_SUPPORT_HPP

#include <voxflow/dce/predict_dce.hpp>

#include <cmath>
#include <vector>

namespace voxflow::testing {

// Parker et al. 2006 blood curve (t in s), starting at `onset_s`, divided by (1 - 0.42): an independent copy
// so the DCE tests do not depend on the AIF module.
inline std::vector<double> parker_plasma(std::vector<double> const& t_s, double onset_s) {
  std::vector<double> c(t_s.size(), 0.0);
  for (std::size_t i = 0; i < t_s.size(); ++i) {
    double const t = (t_s[i] - onset_s) / 60.0;
    if (t < 0) continue;
    double const g1 =
        0.809 / (0.0563 * std::sqrt(2 * M_PI)) * std::exp(-std::pow(t - 0.17046, 2) / (2 * 0.0563 * 0.0563));
    double const g2 =
        0.330 / (0.132 * std::sqrt(2 * M_PI)) * std::exp(-std::pow(t - 0.365, 2) / (2 * 0.132 * 0.132));
    double const s = 1.050 * std::exp(-0.1685 * t) / (1 + std::exp(-38.078 * (t - 0.483)));
    c[i] = (g1 + g2 + s) / (1 - 0.42);
  }
  return c;
}

inline std::vector<double> uniform_times(int n, double dt_s, double t0_s = 0.0) {
  std::vector<double> t(n);
  for (int i = 0; i < n; ++i) t[i] = t0_s + i * dt_s;
  return t;
}

// Uploads a host (row, column) table of values as Maps in MemorySpace.
template <class MemorySpace>
Maps<MemorySpace> upload_maps(std::vector<std::vector<double>> const& rows) {
  Maps<MemorySpace> m("voxflow::test::maps", rows.size(), rows.empty() ? 0 : rows[0].size());
  auto h = Kokkos::create_mirror_view(m);
  for (std::size_t v = 0; v < rows.size(); ++v)
    for (std::size_t i = 0; i < rows[v].size(); ++i) h(v, i) = rows[v][i];
  Kokkos::deep_copy(m, h);
  return m;
}

}  // namespace voxflow::testing

#endif
