// The run-time backend that runs work on a given execution space (for tests that go through
// backend-dispatching APIs such as the conformance runners).
#ifndef VOXFLOW_TESTS_BACKEND_OF_HPP
#define VOXFLOW_TESTS_BACKEND_OF_HPP

#include <voxflow/core/backend.hpp>

#include <type_traits>

namespace voxflow::testing {

template <class ExecutionSpace>
Backend backend_of() {
#if defined(KOKKOS_ENABLE_SERIAL)
  if (std::is_same<ExecutionSpace, Kokkos::Serial>::value) return Backend::serial;
#endif
#if defined(KOKKOS_ENABLE_CUDA)
  if (std::is_same<ExecutionSpace, Kokkos::Cuda>::value) return Backend::device;
#endif
  return Backend::host;
}

}  // namespace voxflow::testing

#endif
