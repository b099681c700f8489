// The configuration of the DSC issue's contract, used by external checks: it must be accepted exactly as
// written.
#ifndef VOXFLOW_TESTS_DSC_CONTRACT_HPP
#define VOXFLOW_TESTS_DSC_CONTRACT_HPP

namespace voxflow::testing {

inline constexpr char const* dsc_contract_yaml = R"(modality: dsc
subject: sub-01
inputs:
  signal: dsc.nii.gz          # 4-D NIfTI, T2*-weighted signal
  timing: time.txt            # one value per frame, seconds
  mask: mask.nii.gz
aif:
  source: measured
  mask: aif_mask.nii.gz       # arterial voxels; the AIF is their mean ΔR2* curve
acquisition:
  echo_time_s: 0.03
  baseline_frames: [0, 8]     # [first, end) pre-bolus frames used for S0
deconvolution:
  method: osvd                # ssvd | csvd | osvd | tikhonov
quantification:
  kh: 1.0                     # hematocrit factor (1 - Hct_large) / (1 - Hct_small); 1 = no correction
  density_g_per_ml: 1.0       # brain density; 1 = per 100 mL of tissue
leakage_correction: false
backend: auto
output:
  dir: out
)";

}  // namespace voxflow::testing

#endif
