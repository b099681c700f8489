// The configuration of the pipeline issue's contract, used by external checks: it must be accepted exactly as
// written.
#ifndef VOXFLOW_TESTS_CONTRACT_CONFIG_HPP
#define VOXFLOW_TESTS_CONTRACT_CONFIG_HPP

namespace voxflow::testing {

inline constexpr char const* contract_yaml = R"(modality: dce
subject: sub-01
inputs:
  concentration: conc.nii.gz   # 4-D NIfTI, mM
  timing: time.txt             # one value per frame, seconds
  mask: mask.nii.gz
aif:
  source: population
  model: parker
fit:
  model: extended_tofts
backend: auto
output:
  dir: out
)";

}  // namespace voxflow::testing

#endif
