// Device memory facts for sizing and staging chunks (pipeline/chunk_driver.hpp). Nothing here differs between
// Kokkos 3.4 and 4.x (neither has a portable free-memory query, both name CudaHostPinnedSpace alike), so it
// lives beside core/kokkos_compat.hpp rather than in it, and only the chunk driver's users include it.
#ifndef VOXFLOW_CORE_DEVICE_MEMORY_HPP
#define VOXFLOW_CORE_DEVICE_MEMORY_HPP

#include <Kokkos_Core.hpp>

#include <cstddef>
#include <type_traits>

namespace voxflow {

// Bytes free now in the memory `space` allocates from, for sizing device chunks: the current CUDA device's
// (cudaMemGetInfo); 0 for host spaces, where voxflow applies no
// memory limit of its own, and when the query fails.
template <class ExecutionSpace>
std::size_t free_memory_bytes(ExecutionSpace const&) {
#if defined(KOKKOS_ENABLE_CUDA)
  if constexpr (std::is_same<ExecutionSpace, Kokkos::Cuda>::value) {
    std::size_t free_bytes = 0, total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) return free_bytes;
    (void)cudaGetLastError();  // clears the error so that Kokkos' next check does not report it
  }
#endif
  return 0;
}

// Host memory for the staging copies of device buffers: page-locked where the memory space is CUDA's, so that
// deep_copy on an execution space instance is an asynchronous DMA; plain host memory otherwise.
template <class MemorySpace>
struct staging_space {
  using type = Kokkos::HostSpace;
};
#if defined(KOKKOS_ENABLE_CUDA)
template <>
struct staging_space<Kokkos::CudaSpace> {
  using type = Kokkos::CudaHostPinnedSpace;
};
#endif
template <class MemorySpace>
using staging_space_t = typename staging_space<MemorySpace>::type;

}  // namespace voxflow

#endif
