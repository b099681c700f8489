// Runner of the OSIPI T1 reference files (reference README §1) for `voxflow conformance` and the tests: every
// row goes through the same public API a pipeline uses (map_t1_vfa), on the context's backend.
#ifndef VOXFLOW_CONFORMANCE_T1_CONFORMANCE_HPP
#define VOXFLOW_CONFORMANCE_T1_CONFORMANCE_HPP

#include <voxflow/conformance/report.hpp>
#include <voxflow/t1/t1_method.hpp>

namespace voxflow::t1 {

// t1/*.csv: fits each row's signals `s` at flip angles `FA` [deg] with repetition time `TR` and compares
// R1 [1/s] (check "R1", tolerance from ctx.tolerances, default atol = rtol = 0.05). The columns tell the
// file format:
//   - a column `R1`: TR in s and reference R1 in 1/s, except in a QIBA DRO file (file name containing
//     "qiba" or "quiba"), which has the same columns but R1 in 1/ms;
//   - no `R1` but `T1 nonlinear` (prostate format): TR and T1 in ms, reference R1 = 1000 / T1 nonlinear.
// The fit is never B1-corrected (the references are not). A row that cannot be parsed is one failed case
// with an error; the others still run. Throws InputError when the file cannot be read or has neither
// reference column.
conformance::FileReport run_t1_reference_file(conformance::RunContext const& ctx,
                                              T1Method method = T1Method::nonlinear);

}  // namespace voxflow::t1

#endif
