// Diffusion protocols as the IVIM fit sees them: the volumes of a series grouped into shells of one b-value
// (repeated b-values and the directions of one shell), whose signals are averaged into one sample per shell:
// the arithmetic mean over directions (the direction-averaged, trace-weighted signal; unlike a geometric mean
// it stays defined for the zero or negative samples of noisy high-b volumes). Host code: it runs once per
// subject, before any voxel is fitted.
#ifndef VOXFLOW_IVIM_B_VALUE_SHELLS_HPP
#define VOXFLOW_IVIM_B_VALUE_SHELLS_HPP

#include <Kokkos_Core.hpp>

#include <string>
#include <vector>

namespace voxflow::ivim {

struct BValueShells {
  std::vector<double> b;              // s/mm², one per shell, ascending; the b = 0 shell is exactly 0
  std::vector<int> shell_of_volume;   // index into b, one per volume
  std::vector<int> volumes_of_shell;  // how many volumes each shell averages
};

// Groups per-volume b-values: b-values within 0.5 + 1 % of the shell's smallest member are one shell
// (scanners write 995, 1000, 1005 for one nominal shell), its b-value the members' mean, except that a shell
// holding an exact 0 is b = 0. InputError naming `source` for a negative or non-finite b-value.
BValueShells group_b_values(std::vector<double> const& per_volume, std::string const& source);

// (voxel, shell) means of a (voxel, volume) series.
Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> average_shells(
    Kokkos::View<double**, Kokkos::HostSpace> const& series, BValueShells const& shells);

}  // namespace voxflow::ivim

#endif
