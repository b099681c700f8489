// Kokkos (and, where built, MPI) lifetime for voxflow executables, and the build/run-time facts `voxflow
// info` prints.
#ifndef VOXFLOW_CORE_RUNTIME_HPP
#define VOXFLOW_CORE_RUNTIME_HPP

#include <ostream>
#include <string>

namespace voxflow {

// Initialises Kokkos on construction and finalises it on destruction. `threads` > 0 sets the host thread
// count (otherwise OMP_NUM_THREADS / Kokkos' own defaults apply); the flag spelling differs between
// Kokkos 3.4 and 4.x.
class Runtime {
 public:
  Runtime(int& argc, char** argv, int threads = 0);
  ~Runtime();
  Runtime(Runtime const&) = delete;
  Runtime& operator=(Runtime const&) = delete;
};

// Host threads Kokkos runs with.
int host_threads();

// Writes version, Kokkos version, enabled backends, threads, devices and optional components (`voxflow
// info`).
void print_info(std::ostream& os);

std::string version_string();  // "0.1.0 (commit abcdef)"

// The NVIDIA compute capability this binary's device code was compiled for, major * 10 + minor (90 for
// sm_90); 0 without a device backend, -1 for an architecture voxflow does not know (kokkos_compat.hpp).
int built_compute_capability();

// The `voxflow info` line that says what the device code was built for, e.g. "device code: built for compute
// capability 9.0 (sm_90)".
std::string built_capability_line(int built);

// A warning when device code built for `built` (major * 10 + minor) will not run at full speed, or not at
// all, on a device of capability major.minor; empty when they match (or there is no device code).
std::string capability_mismatch_warning(int built, int device_major, int device_minor);

}  // namespace voxflow

#endif
