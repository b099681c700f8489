// voxflow-bench run: the whole pipeline of one simulated DCE subject, as a user runs it. It simulates the
// subject with `voxflow simulate dce` (the .nii.gz inputs a study has), runs `voxflow run` on it in a child
// process for each host thread count, and prints the wall time, the CPU time (the per-core figure on a shared
// machine), the peak resident memory of that process and the seconds of each pipeline stage (from the
// subject's own stage timer), each as min/median/max over the repeats.
#ifndef VOXFLOW_APPS_BENCH_RUN_BENCH_HPP
#define VOXFLOW_APPS_BENCH_RUN_BENCH_HPP

#include <string>
#include <vector>

namespace voxflow::bench {

struct RunBenchOptions {
  std::string matrix = "128,128,20";  // nx,ny,nz of the simulated subject
  int frames = 80;
  std::vector<int> threads{1, 2};  // host thread counts, one child process each
  int repeats = 5;
  std::string model = "extended_tofts";
  std::string voxflow;   // the voxflow executable (default: beside voxflow-bench)
  std::string work_dir;  // default: a fresh folder under the system's temporary folder
};

// Runs the bench and prints its report; returns 0, or the first nonzero exit code of a voxflow run.
int run_run_bench(RunBenchOptions const& o);

}  // namespace voxflow::bench

#endif
