// Runners of the DCE reference files (reference README §2, §4, §5) for `voxflow conformance` and the tests:
// every case goes through the same public API a pipeline uses (make_dce_inputs, fit_dce,
// signal_to_concentration).
#ifndef VOXFLOW_CONFORMANCE_DCE_CONFORMANCE_HPP
#define VOXFLOW_CONFORMANCE_DCE_CONFORMANCE_HPP

#include <voxflow/conformance/report.hpp>

namespace voxflow::dce {

// dce/models/*.csv and dce/models_noisefree/*.csv: fit each row and compare the parameters (plus, for Tofts
// and extended Tofts, the delayed variant; for noise-free files, a forward-model check).
conformance::FileReport run_model_reference_file(conformance::RunContext const& ctx);

// dce/osipy_forward/*.csv: predict the tissue curve from the parameters with osipy's discretisation.
conformance::FileReport run_forward_reference_file(conformance::RunContext const& ctx);

// dce/si2conc/*.csv: SPGR signal to concentration with the OSIPI baseline convention (frames 1..n-1).
conformance::FileReport run_si2conc_reference_file(conformance::RunContext const& ctx);

}  // namespace voxflow::dce

#endif
