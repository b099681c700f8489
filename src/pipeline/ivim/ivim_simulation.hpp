// `voxflow simulate ivim`: a synthetic diffusion subject with known truth, written as the files a real study
// has (4-D NIfTI, .bval, .bvec, mask, and a ready-to-run configuration in the contract's form), for the demo,
// the end-to-end tests and benchmarks.
#ifndef VOXFLOW_SRC_PIPELINE_IVIM_IVIM_SIMULATION_HPP
#define VOXFLOW_SRC_PIPELINE_IVIM_IVIM_SIMULATION_HPP

#include <voxflow/ivim/fit_ivim.hpp>

#include <array>
#include <string>
#include <vector>

namespace voxflow::pipeline::ivim_run {

struct IvimSimulation {
  std::string out_dir;
  std::array<int, 3> matrix{24, 24, 4};
  std::vector<double> b_values{0, 10, 20, 30, 50, 80, 100, 200, 400, 600, 800};  // s/mm²
  int directions = 3;    // volumes per b > 0 (isotropic tissue: averaged into the trace)
  double noise = 0.005;  // Gaussian SD relative to S0
  double s0 = 1000.0;
  ivim::IvimMethod method = ivim::IvimMethod::segmented;  // written into the configuration
  unsigned seed = 1;
};

// Truth at relative position (u, w, s) in [0, 1]^3: (S0 relative, D, D*, f), smooth gradients inside
// typical tissue ranges so that every map shows structure.
std::array<double, 4> ivim_truth_at(double u, double w, double s);

// Writes the subject into sim.out_dir: dwi.nii.gz, dwi.bval, dwi.bvec, mask.nii.gz, truth_<param>.nii.gz
// and config.yaml (runs with `voxflow run <dir>/config.yaml`). Returns the configuration path.
std::string simulate_ivim(IvimSimulation const& sim);

}  // namespace voxflow::pipeline::ivim_run

#endif
