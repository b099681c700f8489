// Runner of the OSIPI TF2.4 IVIM reference files (reference README §7) for `voxflow conformance` and the
// tests: every row goes through the same public API a pipeline uses (make_ivim_protocol, fit_ivim), on the
// context's backend, for each of the three methods.
#ifndef VOXFLOW_CONFORMANCE_IVIM_CONFORMANCE_HPP
#define VOXFLOW_CONFORMANCE_IVIM_CONFORMANCE_HPP

#include <voxflow/conformance/report.hpp>
#include <voxflow/ivim/fit_ivim.hpp>

#include <string>
#include <vector>

namespace voxflow::ivim {

// ivim/*.csv with columns case, D, f, Dp, bvalues, signal: each row is fitted as in TF2.4's
// test_ivim_fit_saved (signal divided by its b = 0 sample; bounds S0 [0.7, 1.3], f [0, 1], D [0, 0.005],
// D* [0.005, 0.2], or [0.01, 0.2] where the reference f is 0) and compared with the tolerances of the file
// (tolerances.json; the generic.csv ones by default): f always, D where the reference f < 0.80, D* ("Dp")
// where it is > 0.03. One case per row and method, labelled "<method>: <case>". The Bayesian method uses each
// voxel's own noise estimate (every row is a different tissue). Throws InputError when the file cannot be
// read or lacks a column; a row that cannot be parsed is one failed case.
conformance::FileReport run_ivim_reference_file(conformance::RunContext const& ctx,
                                                std::vector<IvimMethod> const& methods);
// The methods a file's tolerances apply to: generic_DL.csv's are those TF2.4 applies to deep-learning
// fitters, which regularise the way a prior does (reference README §7), so they apply to the Bayesian
// method; the generic tolerances apply to every least-squares method, so to all three.
std::vector<IvimMethod> methods_for(std::string const& relative_path);

// The suite's runner: the file with methods_for(ctx.relative_path).
conformance::FileReport run_ivim_reference_file(conformance::RunContext const& ctx);

}  // namespace voxflow::ivim

#endif
