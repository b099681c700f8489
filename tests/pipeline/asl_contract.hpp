// The configuration of the ASL issue's contract, used by external checks: it must be accepted exactly as
// written.
#ifndef VOXFLOW_TESTS_ASL_CONTRACT_HPP
#define VOXFLOW_TESTS_ASL_CONTRACT_HPP

namespace voxflow::testing {

inline constexpr char const* asl_contract_yaml = R"(modality: asl
subject: sub-01
inputs:
  asl: asl.nii.gz             # 4-D NIfTI: label/control pairs at several PLDs
  aslcontext: aslcontext.tsv  # BIDS: header "volume_type", then one line per volume: label | control | m0scan
  m0scan: m0.nii.gz           # 3-D NIfTI, M0 in the same units as the ASL signal
  mask: mask.nii.gz
acquisition:
  labeling_type: PCASL
  labeling_duration_s: 1.8
  post_labeling_delay_s: plds.txt   # one value per volume of asl.nii.gz, seconds
  m0_tr_correction: false
  background_suppression: false
fit:
  method: multi_pld           # single_pld | multi_pld
backend: auto
output:
  dir: out
)";

}  // namespace voxflow::testing

#endif
