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

}  // namespace voxflow

#endif
