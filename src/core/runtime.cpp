#include <voxflow/core/backend.hpp>
#include <voxflow/core/runtime.hpp>
#include <voxflow/core/thread_count.hpp>
#include <voxflow/core/version.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace voxflow {

Runtime::Runtime(int& argc, char** argv, int threads) {
  // Thread binding that Kokkos recommends for performance, unless the user or the batch system chose
  // otherwise; it also keeps Kokkos from warning on every start.
  setenv("OMP_PROC_BIND", "spread", 0);
  setenv("OMP_PLACES", "threads", 0);
  // Kokkos parses its own --kokkos-* flags from argv; a requested thread count is appended in the spelling of
  // the Kokkos version at hand.
  auto const choice = choose_host_threads(threads, std::getenv("OMP_NUM_THREADS"), available_cpus());
  if (!choice.note.empty()) std::fprintf(stderr, "voxflow: %s\n", choice.note.c_str());
  threads = choice.threads;
  std::vector<std::string> storage(argv, argv + argc);
  if (threads > 0) storage.push_back(std::string(kokkos_threads_flag) + std::to_string(threads));
  std::vector<char*> args;
  for (auto& s : storage) args.push_back(s.data());
  args.push_back(nullptr);
  int kokkos_argc = static_cast<int>(storage.size());
  Kokkos::initialize(kokkos_argc, args.data());
}

Runtime::~Runtime() {
  if (Kokkos::is_initialized()) Kokkos::finalize();
}

int host_threads() {
  return concurrency_of(Kokkos::DefaultHostExecutionSpace());
}

std::string version_string() {
  return std::string(VOXFLOW_VERSION_STRING) + " (commit " + VOXFLOW_GIT_COMMIT + ")";
}

void print_info(std::ostream& os) {
  os << "voxflow " << version_string() << "\n";
  os << "Kokkos " << KOKKOS_VERSION / 10000 << "." << (KOKKOS_VERSION / 100) % 100 << "."
     << KOKKOS_VERSION % 100 << ", KokkosKernels " << VOXFLOW_KOKKOSKERNELS_VERSION << "\n";
  os << "backends:";
  for (auto const& name : enabled_execution_spaces()) os << " " << name;
  os << "\n";
  os << "default host execution space: " << Kokkos::DefaultHostExecutionSpace::name() << ", threads "
     << host_threads() << "\n";
  os << "default execution space: " << Kokkos::DefaultExecutionSpace::name() << "\n";
#if defined(KOKKOS_ENABLE_CUDA)
  {
    Kokkos::Cuda cuda;
    auto const& prop = cuda.cuda_device_prop();
    os << "device: CUDA device " << cuda.cuda_device() << ": " << prop.name << ", compute capability "
       << prop.major << "." << prop.minor << ", " << prop.totalGlobalMem / (1024.0 * 1024.0 * 1024.0)
       << " GiB\n";
  }
#else
  os << "device: none (built without a device backend)\n";
#endif
}

}  // namespace voxflow
