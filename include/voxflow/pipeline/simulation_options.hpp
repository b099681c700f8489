// The values of `voxflow simulate <modality> --<name> VALUE` options (Modality::simulate receives them as
// text): parsed once here, so that every modality refuses a bad value with the same usage error.
#ifndef VOXFLOW_PIPELINE_SIMULATION_OPTIONS_HPP
#define VOXFLOW_PIPELINE_SIMULATION_OPTIONS_HPP

#include <array>
#include <map>
#include <string>

namespace voxflow::pipeline {

using SimulationValues = std::map<std::string, std::string>;

// Error(ExitCode::usage) naming --<name> unless the value is a number / a whole number / "nx,ny,nz".
double simulation_number(SimulationValues const& options, std::string const& name);
int simulation_integer(SimulationValues const& options, std::string const& name);
std::array<int, 3> simulation_matrix(SimulationValues const& options, std::string const& name);

// Default values as the help text shows them: shortest round-tripping decimal, "nx,ny,nz".
std::string simulation_text(double value);
std::string simulation_text(std::array<int, 3> const& matrix);

}  // namespace voxflow::pipeline

#endif
