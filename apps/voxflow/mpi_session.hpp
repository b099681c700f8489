// MPI for the cohort layer (cohort_mpi.cpp). main() starts an MpiSession before anything starts Kokkos, as
// MPI must be initialised first; it initialises MPI only when an MPI launcher (mpiexec, mpirun, srun with PMI
// or PMIx) started this process, so a plain `voxflow run` never needs an MPI runtime. Without MPI in the
// build, or without a launcher, the world is one rank and cohorts run in sequence.
#ifndef VOXFLOW_APPS_MPI_SESSION_HPP
#define VOXFLOW_APPS_MPI_SESSION_HPP

namespace voxflow::app {

struct MpiWorld {
  int rank = 0, size = 1;
  int local_size = 1;             // ranks on this node
  int local_rank = -1;            // this rank among them (MPI's shared-memory split); -1 without MPI
  bool threads_may_call = false;  // MPI_THREAD_SERIALIZED or better: rank 0 can serve the queue from a thread
};

class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();  // MPI_Finalize, after Kokkos (main() ends Kokkos inside each command)
  MpiSession(MpiSession const&) = delete;
  MpiSession& operator=(MpiSession const&) = delete;
};

// The world MpiSession found; one rank when MPI was not initialised.
MpiWorld const& mpi_world();

}  // namespace voxflow::app

#endif
