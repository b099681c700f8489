#include <voxflow/core/errors.hpp>
#include <voxflow/ivim/b_value_shells.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace voxflow::ivim {

BValueShells group_b_values(std::vector<double> const& per_volume, std::string const& source) {
  for (std::size_t i = 0; i < per_volume.size(); ++i)
    require_input(std::isfinite(per_volume[i]) && per_volume[i] >= 0.0, source,
                  "b-value " + std::to_string(i + 1), "a finite b-value >= 0 s/mm²");
  std::vector<std::size_t> order(per_volume.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return per_volume[a] < per_volume[b]; });
  BValueShells shells;
  shells.shell_of_volume.assign(per_volume.size(), -1);
  double first = 0.0, sum = 0.0;
  bool has_zero = false;
  auto close_shell = [&]() {
    int const count = shells.volumes_of_shell.back();
    shells.b.back() = has_zero ? 0.0 : sum / count;
  };
  for (std::size_t k = 0; k < order.size(); ++k) {
    double const b = per_volume[order[k]];
    if (shells.b.empty() || b > first + 0.5 + 0.01 * first) {
      if (!shells.b.empty()) close_shell();
      shells.b.push_back(b);
      shells.volumes_of_shell.push_back(0);
      first = b;
      sum = 0.0;
      has_zero = false;
    }
    sum += b;
    has_zero = has_zero || b == 0.0;
    ++shells.volumes_of_shell.back();
    shells.shell_of_volume[order[k]] = static_cast<int>(shells.b.size()) - 1;
  }
  if (!shells.b.empty()) close_shell();
  return shells;
}

Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> average_shells(
    Kokkos::View<double**, Kokkos::HostSpace> const& series, BValueShells const& shells) {
  std::size_t const voxels = series.extent(0), volumes = series.extent(1);
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> out("voxflow::ivim::shell_means", voxels,
                                                                     shells.b.size());
  for (std::size_t v = 0; v < voxels; ++v) {
    for (std::size_t t = 0; t < volumes; ++t) out(v, shells.shell_of_volume[t]) += series(v, t);
    for (std::size_t s = 0; s < shells.b.size(); ++s) out(v, s) /= shells.volumes_of_shell[s];
  }
  return out;
}

}  // namespace voxflow::ivim
