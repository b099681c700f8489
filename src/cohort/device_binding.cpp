#include <voxflow/cohort/device_binding.hpp>
#include <voxflow/core/kokkos_compat.hpp>

#if defined(KOKKOS_ENABLE_CUDA)
#include <cuda_runtime_api.h>
#elif defined(KOKKOS_ENABLE_HIP)
#include <hip/hip_runtime_api.h>
#endif

#include <cerrno>
#include <cstdlib>

namespace voxflow::cohort {

namespace {

// A non-negative integer, or -1 for anything else (unset, empty, "2x").
int non_negative(char const* text) {
  if (text == nullptr || *text == '\0') return -1;
  char* end = nullptr;
  errno = 0;
  long const value = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < 0 || value > 1 << 20) return -1;
  return static_cast<int>(value);
}

}  // namespace

int local_rank(EnvLookup const& env, int mpi_local_rank) {
  for (char const* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"})
    if (int const rank = non_negative(env(name)); rank >= 0) return rank;
  return mpi_local_rank >= 0 ? mpi_local_rank : -1;
}

int device_for_rank(EnvLookup const& env, int mpi_local_rank, int device_count) {
  if (device_count <= 0) return -1;
  int const rank = local_rank(env, mpi_local_rank);
  return rank < 0 ? -1 : rank % device_count;
}

int visible_device_count() {
  int count = 0;
#if defined(KOKKOS_ENABLE_CUDA)
  if (cudaGetDeviceCount(&count) != cudaSuccess) count = 0;
#elif defined(KOKKOS_ENABLE_HIP)
  if (hipGetDeviceCount(&count) != hipSuccess) count = 0;
#endif
  return count;
}

std::string kokkos_device_argument(int device) {
  return std::string(kokkos_device_id_flag) + std::to_string(device);
}

}  // namespace voxflow::cohort
