// `voxflow simulate dce`: a synthetic DCE subject with known truth, written as the files a real study has
// (4-D NIfTI, timing text, mask, and a ready-to-run configuration), for the demo, the end-to-end tests and
// benchmarks.
#ifndef VOXFLOW_SRC_PIPELINE_DCE_DCE_SIMULATION_HPP
#define VOXFLOW_SRC_PIPELINE_DCE_DCE_SIMULATION_HPP

#include <voxflow/dce/fit_dce.hpp>

#include <array>
#include <string>

namespace voxflow::pipeline::dce_run {

struct DceSimulation {
  std::string out_dir;
  std::array<int, 3> matrix{32, 32, 4};
  int frames = 80;
  double frame_s = 4.0;
  dce::DceModel model = dce::DceModel::extended_tofts;
  double noise = 0.01;         // Gaussian SD as a fraction of the AIF-driven curve maximum of a typical voxel
  double bolus_delay_s = 0.0;  // AIF arrival after the first frame (written into the configuration); the
                               // frames before it are the baseline of a signal input
  double tissue_delay_s = 0.0;  // extra arterial delay of every tissue curve (fitted when non-zero)
  std::string input =
      "concentration";  // concentration | signal (with a T1 map) | vfa (signal with a VFA series)
  unsigned seed = 1;
  double t1_s = 1.2;  // baseline T1 of tissue (varied ±30 % over the volume)
  double flip_angle_deg = 15.0, tr_s = 0.005, relaxivity = 4.5;
};

// Writes the subject into sim.out_dir: the input images, time.txt, mask.nii.gz, truth_<param>.nii.gz and
// config.yaml (runs with `voxflow run <dir>/config.yaml`). Returns the configuration path.
std::string simulate_dce(DceSimulation const& sim);

}  // namespace voxflow::pipeline::dce_run

#endif
