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

std::vector<SimulatedVoxel> simulated_grid(std::array<int, 3> const& matrix) {
  auto const [nx, ny, nz] = matrix;
  std::vector<SimulatedVoxel> grid;
  grid.reserve(static_cast<std::size_t>(nx) * ny * nz);
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) {
        SimulatedVoxel v;
        v.index = x + static_cast<std::int64_t>(nx) * (y + static_cast<std::int64_t>(ny) * z);
        v.u = nx > 1 ? x / double(nx - 1) : 0.5;
        v.w = ny > 1 ? y / double(ny - 1) : 0.5;
        v.s = nz > 1 ? z / double(nz - 1) : 0.5;
        double const ex = 2 * v.u - 1, ey = 2 * v.w - 1;
        v.in_mask = ex * ex + ey * ey <= 1.0;
        grid.push_back(v);
      }
  return grid;
}

}  // namespace voxflow::pipeline
