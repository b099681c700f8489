// The values of `voxflow simulate <modality> --<name> VALUE` options (Modality::simulate receives them as
// text): parsed once here, so that every modality refuses a bad value with the same usage error.
#ifndef VOXFLOW_PIPELINE_SIMULATION_OPTIONS_HPP
#define VOXFLOW_PIPELINE_SIMULATION_OPTIONS_HPP

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace voxflow::pipeline {

using SimulationValues = std::map<std::string, std::string>;

// Error(ExitCode::usage) naming --<name> unless the value is a number / a whole number / "nx,ny,nz".
double simulation_number(SimulationValues const& options, std::string const& name);
int simulation_integer(SimulationValues const& options, std::string const& name);
std::array<int, 3> simulation_matrix(SimulationValues const& options, std::string const& name);

// A voxel of a simulated nx x ny x nz grid: its NIfTI index, its relative position (u, w, s) in [0, 1]^3 (0.5
// along a dimension of one voxel), and whether it lies inside the elliptic mask every slice shares.
struct SimulatedVoxel {
  std::int64_t index = 0;
  double u = 0.0, w = 0.0, s = 0.0;
  bool in_mask = false;
};
std::vector<SimulatedVoxel> simulated_grid(std::array<int, 3> const& matrix);

// Default values as the help text shows them: shortest round-tripping decimal, "nx,ny,nz".
std::string simulation_text(double value);
std::string simulation_text(std::array<int, 3> const& matrix);

}  // namespace voxflow::pipeline

#endif
