#include "mpi_session.hpp"

#if defined(VOXFLOW_WITH_MPI)
#include <mpi.h>
#endif

#include <cstdlib>

namespace voxflow::app {

namespace {

MpiWorld world;

#if defined(VOXFLOW_WITH_MPI)
bool initialised = false;

// The variables Open MPI, MPICH/Hydra and PMIx-based launchers (srun --mpi=pmix) set in every rank.
bool started_by_a_launcher() {
  for (char const* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}
#endif

}  // namespace

MpiSession::MpiSession([[maybe_unused]] int* argc, [[maybe_unused]] char*** argv) {
#if defined(VOXFLOW_WITH_MPI)
  if (!started_by_a_launcher()) return;
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  initialised = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &world.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world.size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world.rank, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &world.local_size);
  MPI_Comm_rank(node, &world.local_rank);
  MPI_Comm_free(&node);
  world.threads_may_call = provided >= MPI_THREAD_SERIALIZED;
#endif
}

MpiSession::~MpiSession() {
#if defined(VOXFLOW_WITH_MPI)
  if (initialised) MPI_Finalize();
#endif
}

MpiWorld const& mpi_world() {
  return world;
}

}  // namespace voxflow::app
