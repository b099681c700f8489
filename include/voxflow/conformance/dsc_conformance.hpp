// Runner of the OSIPI DSC reference file (reference README §6) for `voxflow conformance` and the tests: every
// case goes through the public API a pipeline uses (build_deconvolution_operator, deconvolve_voxels).
#ifndef VOXFLOW_CONFORMANCE_DSC_CONFORMANCE_HPP
#define VOXFLOW_CONFORMANCE_DSC_CONFORMANCE_HPP

#include <voxflow/conformance/report.hpp>
#include <voxflow/dsc/deconvolution_operator.hpp>

#include <vector>

namespace voxflow::dsc {

// dsc/*.csv (columns label, C_tis, C_aif, cbv, cbf, tr): deconvolves each row with each of `methods` (default
// options otherwise, kh = density = 1) and compares CBF (mL/100 mL/min) and CBV (mL/100 mL), tolerances from
// ctx.tolerances (default CBV atol 1, rtol 0.1; CBF atol 15, rtol 0.1). One case per row and method, labelled
// "<label> [<method>]". Throws InputError when the file lacks a column.
conformance::FileReport run_dsc_reference_file(conformance::RunContext const& ctx,
                                               std::vector<DeconvolutionMethod> const& methods = {
                                                   DeconvolutionMethod::ssvd, DeconvolutionMethod::csvd,
                                                   DeconvolutionMethod::osvd, DeconvolutionMethod::tikhonov});

}  // namespace voxflow::dsc

#endif
