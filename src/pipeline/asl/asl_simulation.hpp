// `voxflow simulate asl`: a synthetic multi-PLD PCASL subject with known truth, written as the files of the
// ASL contract (4-D label/control series, aslcontext.tsv, one delay per volume, M0 scan, mask and the
// contract's configuration), for the demo, the end-to-end tests and benchmarks.
#ifndef VOXFLOW_SRC_PIPELINE_ASL_ASL_SIMULATION_HPP
#define VOXFLOW_SRC_PIPELINE_ASL_ASL_SIMULATION_HPP

#include <voxflow/asl/quantify_asl.hpp>

#include <array>
#include <string>
#include <vector>

namespace voxflow::pipeline::asl_run {

struct AslSimulation {
  std::string out_dir;
  std::array<int, 3> matrix{24, 24, 4};
  std::vector<double> plds_s{0.25, 0.5, 0.75, 1.0, 1.5, 2.0};
  int repeats = 2;     // label/control pairs per delay
  double noise = 0.0;  // Gaussian SD of every volume as a fraction of the largest ΔM of the subject
  double labeling_duration_s = 1.8;
  asl::AslMethod method = asl::AslMethod::multi_pld;
  unsigned seed = 1;
};

// Writes the subject into sim.out_dir: asl.nii.gz, aslcontext.tsv, plds.txt, m0.nii.gz, mask.nii.gz,
// truth_{cbf,att,m0}.nii.gz and config.yaml (the contract; runs with `voxflow run <dir>/config.yaml`).
// Returns the configuration path.
std::string simulate_asl(AslSimulation const& sim);

}  // namespace voxflow::pipeline::asl_run

#endif
