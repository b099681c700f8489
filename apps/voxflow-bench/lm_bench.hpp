// `voxflow-bench lm`: times the Levenberg-Marquardt core on synthetic exponential voxels with known truth.
#ifndef VOXFLOW_APPS_LM_BENCH_HPP
#define VOXFLOW_APPS_LM_BENCH_HPP

#include "bench_options.hpp"

namespace voxflow::bench {

// Runs the benchmark in the current process (Kokkos initialised) and prints one result line.
// Models: exp_offset (A exp(-kt) + c) or mono_exp (A exp(-kt)).
int run_lm_bench(BenchOptions const& options);

}  // namespace voxflow::bench

#endif
