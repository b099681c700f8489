// The configuration of the IVIM issue's contract, used by external checks: it must be accepted exactly as
// written (with the method replaced for the full and Bayesian runs).
#ifndef VOXFLOW_TESTS_IVIM_CONTRACT_HPP
#define VOXFLOW_TESTS_IVIM_CONTRACT_HPP

#include <string>

namespace voxflow::testing {

inline constexpr char const* ivim_contract_yaml = R"(modality: ivim
subject: sub-01
inputs:
  dwi: dwi.nii.gz             # 4-D NIfTI, one volume per b-value (repeated b-values allowed)
  bvals: dwi.bval             # FSL/BIDS text file: the b-values, s/mm², whitespace-separated on one line
  mask: mask.nii.gz
fit:
  method: segmented           # segmented | full | bayesian
  b_threshold: 200
backend: auto
output:
  dir: out
)";

// The contract with another method.
inline std::string ivim_contract_with_method(std::string const& method) {
  std::string yaml = ivim_contract_yaml;
  std::string const from = "method: segmented";
  yaml.replace(yaml.find(from), from.size(), "method: " + method);
  return yaml;
}

}  // namespace voxflow::testing

#endif
