// `voxflow simulate dsc`: a synthetic DSC subject with known truth, written as the files a real study has
// (4-D signal NIfTI, timing text, masks, and a ready-to-run configuration), for the demo, the end-to-end
// tests and benchmarks.
#ifndef VOXFLOW_SRC_PIPELINE_DSC_DSC_SIMULATION_HPP
#define VOXFLOW_SRC_PIPELINE_DSC_DSC_SIMULATION_HPP

#include <voxflow/dsc/deconvolution_operator.hpp>

#include <array>
#include <string>
#include <vector>

namespace voxflow::pipeline::dsc_run {

struct DscSimulation {
  std::string out_dir;
  std::array<int, 3> matrix{16, 16, 4};
  int frames = 80;
  double frame_s = 1.0;
  double echo_time_s = 0.03;
  double noise = 0.002;                 // Gaussian SD of the signal relative to S0
  double bolus_arrival_s = 10.0;        // gamma-variate AIF: t0
  double tissue_delay_s = 0.0;          // extra delay of every tissue curve relative to the AIF
  std::string residue = "exponential";  // exponential | boxcar | gamma (transit times of shape 3)
  // 1/s: the voxels of the last quarter in x get −K2·∫ref(t) (a T1 leakage term); CBF is then 10 · CBV
  // (one transit time, as the BSW model assumes).
  double leakage_k2 = 0.0;
  dsc::DeconvolutionMethod method = dsc::DeconvolutionMethod::osvd;
  unsigned seed = 1;
};

// Arterial ΔR2* (1/s) of the simulation at time t (s): a gamma variate (α 3, β 1.5 s) peaking at 100 1/s.
double simulated_aif(double t, double arrival_s);

// The residue R(t) of a shape ("exponential", "boxcar", "gamma") with mean transit time mtt (s).
double simulated_residue(std::string const& shape, double t, double mtt);

// Tissue ΔR2* (1/s) at `times` for CBF (mL/100 mL/min), CBV (mL/100 mL) with the given residue shape,
// delayed by delay_s: (CBF/6000) · ∫ Ca(τ − delay) R(t − τ) dτ, integrated on a grid 50 times finer.
std::vector<double> simulated_tissue(std::vector<double> const& times, double cbf, double cbv, double delay_s,
                                     double arrival_s, std::string const& residue);

// Writes the subject into sim.out_dir: dsc.nii.gz, time.txt, mask.nii.gz, aif_mask.nii.gz,
// truth_{CBF,CBV,MTT}[,K2].nii.gz and config.yaml (runs with `voxflow run <dir>/config.yaml`). Returns the
// configuration path.
std::string simulate_dsc(DscSimulation const& sim);

}  // namespace voxflow::pipeline::dsc_run

#endif
