// `voxflow-bench ivim`: times the IVIM fits as a subject run does them: a protocol of `frames` b-values
// (default the 11 of 0 ... 800 s/mm²), S0 = 1000, D, D* and f drawn over tissue ranges, Gaussian noise of a
// fraction of S0; the Bayesian method with the subject-wide noise estimate (both passes timed).
#ifndef VOXFLOW_APPS_IVIM_BENCH_HPP
#define VOXFLOW_APPS_IVIM_BENCH_HPP

#include "bench_options.hpp"

namespace voxflow::bench {

// o.model: segmented, full, bayesian, or "all" (each in turn).
int run_ivim_bench(BenchOptions const& options);

}  // namespace voxflow::bench

#endif
