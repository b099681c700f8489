// `voxflow-bench dce`: times DCE model fitting as PERF-LIMIT.md measured it: T frames 4 s apart, the Parker
// AIF as plasma (Hct 0.42), parameters drawn over physiological ranges, exact forward curves plus Gaussian
// noise of a fraction of each curve's maximum.
#ifndef VOXFLOW_APPS_DCE_BENCH_HPP
#define VOXFLOW_APPS_DCE_BENCH_HPP

#include "bench_options.hpp"

namespace voxflow::bench {

int run_dce_bench(BenchOptions const& options);

}  // namespace voxflow::bench

#endif
