// Which GPU an MPI rank of a cohort binds (issue 12: "each rank binds its local GPU"): its rank among the
// ranks on its node, modulo the devices it can see. A launcher that gives each rank one GPU of its own
// (srun --gpus-per-task, CUDA_VISIBLE_DEVICES) leaves one visible device, so every rank takes device 0.
#ifndef VOXFLOW_COHORT_DEVICE_BINDING_HPP
#define VOXFLOW_COHORT_DEVICE_BINDING_HPP

#include <functional>
#include <string>

namespace voxflow::cohort {

// Looks an environment variable up: its value, or nullptr (std::getenv, or a table in a test).
using EnvLookup = std::function<char const*(char const*)>;

// This process's rank among those on its node: OMPI_COMM_WORLD_LOCAL_RANK (Open MPI), MPI_LOCALRANKID
// (MPICH/Hydra), SLURM_LOCALID (srun), the first that is a non-negative integer; else `mpi_local_rank` (its
// rank in MPI's shared-memory split, -1 without MPI). -1 when nothing says.
int local_rank(EnvLookup const& env, int mpi_local_rank);

// The device a rank binds: local_rank(env, mpi_local_rank) modulo `device_count`; -1 (let Kokkos choose)
// when there is no device (host builds) or no local rank is known.
int device_for_rank(EnvLookup const& env, int mpi_local_rank, int device_count);

// Devices this process can see through the build's device backend (CUDA, HIP), asked before Kokkos starts;
// 0 in a host build or when the runtime finds none.
int visible_device_count();

// The --kokkos-* flag that makes Kokkos start on `device` (in the spelling of the Kokkos at hand).
std::string kokkos_device_argument(int device);

}  // namespace voxflow::cohort

#endif
