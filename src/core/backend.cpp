#include <voxflow/core/backend.hpp>

namespace voxflow {

bool device_available() {
#if defined(KOKKOS_ENABLE_CUDA)
  return Kokkos::is_initialized();  // Kokkos' CUDA backend refuses to initialise without a usable device
#else
  return false;
#endif
}

Backend resolve_backend(Backend requested) {
  switch (requested) {
    case Backend::automatic:
      return device_available() ? Backend::device : Backend::host;
    case Backend::device:
      if (!device_available())
        throw BackendError(
            "backend 'device' requested, but this build of voxflow has no GPU backend or no GPU is "
            "usable; use 'host' or 'auto'");
      return Backend::device;
    case Backend::serial:
#if !defined(KOKKOS_ENABLE_SERIAL)
      throw BackendError("backend 'serial' requested, but Kokkos was built without the Serial backend");
#endif
      return Backend::serial;
    case Backend::host:
      return Backend::host;
  }
  return Backend::host;
}

std::vector<std::string> enabled_execution_spaces() {
  std::vector<std::string> names;
#if defined(KOKKOS_ENABLE_SERIAL)
  names.emplace_back("Serial");
#endif
#if defined(KOKKOS_ENABLE_OPENMP)
  names.emplace_back("OpenMP");
#endif
#if defined(KOKKOS_ENABLE_THREADS)
  names.emplace_back("Threads");
#endif
#if defined(KOKKOS_ENABLE_CUDA)
  names.emplace_back("Cuda");
#endif
  return names;
}

}  // namespace voxflow
