// `voxflow-bench lm`: times the Levenberg-Marquardt core on synthetic voxels with known truth.
#ifndef VOXFLOW_APPS_LM_BENCH_HPP
#define VOXFLOW_APPS_LM_BENCH_HPP

#include <string>

namespace voxflow::bench {

struct LMBenchOptions {
  std::string model = "exp_offset";  // exp_offset (3 parameters) or mono_exp (2 parameters)
  int voxels = 100000;
  int frames = 80;
  double noise = 0.01;  // Gaussian SD as a fraction of each voxel's curve maximum
  int repeats = 5;
  std::string backend = "host";
  unsigned seed = 20261125u;
};

// Runs the benchmark in the current process (Kokkos initialised) and prints one result line.
int run_lm_bench(LMBenchOptions const& options);

}  // namespace voxflow::bench

#endif
