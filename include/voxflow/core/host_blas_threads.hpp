// The host BLAS's own threads. voxflow calls BLAS and LAPACK (OpenBLAS in Debian) only on the calling thread,
// from inside the execution space's threads (one dgemm per block of voxels, DSC's small SVDs), so a BLAS
// thread pool is never wanted. OpenBLAS's pthreads flavour nevertheless starts one thread per core when it
// is loaded, and each spins (sched_yield) after its start and after every call until its thread timeout
// (2^28 cycles by default, about 0.1 s): 11,000 sched_yield calls against the OpenMP threads of a 0.2 s run,
// and as many on every MPI rank of a node. The controls are looked up at run
// time: another BLAS has none (and needs none). Host code only.
#ifndef VOXFLOW_CORE_HOST_BLAS_THREADS_HPP
#define VOXFLOW_CORE_HOST_BLAS_THREADS_HPP

namespace voxflow {

// Runs every later host BLAS call on its calling thread and ends OpenBLAS's pthreads pool (OpenBLAS starts
// it again only for a call that asks for more than one thread). Called once by Runtime before Kokkos starts;
// calling it again does nothing more.
void retire_host_blas_threads();

// The host BLAS's thread count (1 for a BLAS without threads).
int host_blas_threads();

// While alive, the host BLAS runs every call on the calling thread, whatever was set before (restored
// afterwards): for library users whose program never retired the pool.
class SingleThreadedHostBlas {
 public:
  SingleThreadedHostBlas();
  ~SingleThreadedHostBlas();
  SingleThreadedHostBlas(SingleThreadedHostBlas const&) = delete;
  SingleThreadedHostBlas& operator=(SingleThreadedHostBlas const&) = delete;

 private:
  int previous_ = 0;  // 0: nothing to restore
};

}  // namespace voxflow

#endif
