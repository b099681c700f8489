// voxflow-bench cohort: the cohort layer's parallel efficiency. It simulates a cohort of DCE subjects, runs
// the voxflow executable on it with each worker count (MPI ranks under mpiexec, or, without mpiexec, as many
// processes each given an equal share of the subjects by --participant-label), and prints wall time,
// parallel efficiency against one worker, per-subject seconds, I/O bytes and peak memory per worker, and the
// cost of one ledger rewrite for 10,000 subjects: the figures docs/scaling-model.md plugs in.
#ifndef VOXFLOW_APPS_BENCH_COHORT_BENCH_HPP
#define VOXFLOW_APPS_BENCH_COHORT_BENCH_HPP

#include <string>
#include <vector>

namespace voxflow::bench {

struct CohortBenchOptions {
  int subjects = 8;
  // Of each simulated subject: 327,680 voxels and 92 MB of gzip input, smaller than a clinical DCE series
  // (256x256x24 and more) and large enough that a subject's reading, fitting and writing, not the job's fixed
  // start and end (mpiexec, MPI_Init and MPI_Finalize: 0.2-0.4 s on the development VM), are what is
  // measured. A 64x64x16 subject takes 0.16 s there, and the fixed part then bounds 8 subjects on 2 ranks to
  // ~76 %.
  std::string matrix = "128,128,20";
  std::vector<int> workers{1, 2};
  int threads = 1;                  // host threads per worker
  int repeats = 3;                  // runs per worker count; the median wall time counts
  std::string voxflow;              // the voxflow executable (default: beside voxflow-bench)
  std::string mpiexec = "mpiexec";  // "none": worker processes instead of MPI ranks
  std::string work_dir;             // default: a fresh folder under the system's temporary folder
};

// Runs the bench and prints its report; returns 0, or the first nonzero exit code of a voxflow run.
int run_cohort_bench(CohortBenchOptions const& o);

}  // namespace voxflow::bench

#endif
