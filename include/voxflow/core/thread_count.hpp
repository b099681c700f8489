// How many host threads Kokkos is started with. Kokkos' OpenMP backend keeps its per-thread data in a fixed
// table of 512 entries (3.4 and 4.x alike) and overruns it when given more threads, so a larger request
// (--threads, the configuration's threads, OMP_NUM_THREADS) is capped, with the reason told to the user.
#ifndef VOXFLOW_CORE_THREAD_COUNT_HPP
#define VOXFLOW_CORE_THREAD_COUNT_HPP

#include <string>

namespace voxflow {

// OpenMPExec::MAX_THREAD_COUNT (Kokkos 3.4) and OpenMPTraits::MAX_THREAD_COUNT (Kokkos 4.x).
inline constexpr int kokkos_max_host_threads = 512;

struct HostThreadChoice {
  int threads = 0;   // to pass to Kokkos; 0: leave Kokkos' own default (OMP_NUM_THREADS or all cores)
  std::string note;  // why the request was capped; empty when it was not
};

// `requested` > 0 is an explicit request; otherwise the first number of `omp_num_threads` (the environment
// variable, may be null; OpenMP reads "8" and "8,4" alike) is the request. A request above
// kokkos_max_host_threads becomes min(kokkos_max_host_threads, available_cpus), explained in `note`.
HostThreadChoice choose_host_threads(int requested, char const* omp_num_threads, int available_cpus);

// The CPUs this process may run on (its affinity mask), at least 1.
int available_cpus();

}  // namespace voxflow

#endif
