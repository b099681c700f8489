#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/simulation_options.hpp>

#include <cstdlib>
#include <sstream>

namespace voxflow::pipeline {

double simulation_number(SimulationValues const& options, std::string const& name) {
  std::string const& text = options.at(name);
  char* end = nullptr;
  double const v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0')
    throw Error(ExitCode::usage, "simulate --" + name + ": a number, found '" + text + "'");
  return v;
}

int simulation_integer(SimulationValues const& options, std::string const& name) {
  double const v = simulation_number(options, name);
  if (v != static_cast<int>(v)) throw Error(ExitCode::usage, "simulate --" + name + ": a whole number");
  return static_cast<int>(v);
}

std::array<int, 3> simulation_matrix(SimulationValues const& options, std::string const& name) {
  std::array<int, 3> m{};
  std::istringstream in(options.at(name));
  char comma1 = 0, comma2 = 0;
  if (!(in >> m[0] >> comma1 >> m[1] >> comma2 >> m[2]) || comma1 != ',' || comma2 != ',' || !in.eof())
    throw Error(ExitCode::usage, "simulate --" + name + ": nx,ny,nz, e.g. 32,32,4");
  return m;
}

std::string simulation_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string simulation_text(std::array<int, 3> const& matrix) {
  return std::to_string(matrix[0]) + "," + std::to_string(matrix[1]) + "," + std::to_string(matrix[2]);
}

}  // namespace voxflow::pipeline
