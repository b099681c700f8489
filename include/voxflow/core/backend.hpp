// Run-time backend choice (DESIGN.md §1): the binary carries Serial + OpenMP (+ CUDA); `auto` picks the
// device when one is present, `host` the host threads, `device` insists on the GPU, `serial` runs on one
// thread.
#ifndef VOXFLOW_CORE_BACKEND_HPP
#define VOXFLOW_CORE_BACKEND_HPP

#include <voxflow/core/enum_names.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/core/kokkos_compat.hpp>

#include <string>
#include <vector>

namespace voxflow {

enum class Backend { automatic, host, device, serial };

inline constexpr EnumTable<Backend, 4> backend_names{{{Backend::automatic, "auto"},
                                                      {Backend::host, "host"},
                                                      {Backend::device, "device"},
                                                      {Backend::serial, "serial"}}};

// Parses "auto" | "host" | "device" | "serial"; returns false for anything else.
inline bool parse_backend(std::string const& text, Backend& out) {
  return parse_enum(backend_names, text, out);
}
inline std::string backend_name(Backend b) {
  return enum_name(backend_names, b);
}

// True when this build has a device backend and a device is usable now (Kokkos must be initialised).
bool device_available();

// Resolves `automatic` and checks availability; throws BackendError for a device request without a device.
Backend resolve_backend(Backend requested);

// Names of the execution spaces compiled into this build, e.g. {"Serial", "OpenMP", "Cuda"}.
std::vector<std::string> enabled_execution_spaces();

// Calls f(space) with an instance of the execution space that runs `resolved` work (after resolve_backend).
template <class F>
void dispatch(Backend resolved, F&& f) {
  switch (resolved) {
    case Backend::device:
#if defined(KOKKOS_ENABLE_CUDA)
      f(Kokkos::Cuda());
      return;
#else
      throw BackendError("this build of voxflow has no device backend");
#endif
    case Backend::serial:
#if defined(KOKKOS_ENABLE_SERIAL)
      f(Kokkos::Serial());
      return;
#endif
    case Backend::host:
    case Backend::automatic:
      f(Kokkos::DefaultHostExecutionSpace());
      return;
  }
}

}  // namespace voxflow

#endif
