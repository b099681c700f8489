// `voxflow-bench t1`: times T1 mapping as a subject run does it: variable flip angle (SPGR, `frames` flip
// angles from 2 to 20 degrees, TR 5 ms) by the non-linear fit (without and with a B1 map), the DESPOT1 line
// and the two-point line, and Look-Locker (`frames` inversion times from 0.1 to 3 s); M0 = 1000, T1 drawn
// over tissue values, Gaussian noise of a fraction of each voxel's largest sample.
#ifndef VOXFLOW_APPS_T1_BENCH_HPP
#define VOXFLOW_APPS_T1_BENCH_HPP

#include "bench_options.hpp"

namespace voxflow::bench {

// o.model: nonlinear, nonlinear_b1, linear, two_point, look_locker, or "all" (each in turn).
int run_t1_bench(BenchOptions const& options);

}  // namespace voxflow::bench

#endif
