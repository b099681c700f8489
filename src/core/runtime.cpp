#include <voxflow/core/backend.hpp>
#include <voxflow/core/device_memory.hpp>
#include <voxflow/core/host_blas_threads.hpp>
#include <voxflow/core/runtime.hpp>
#include <voxflow/core/thread_count.hpp>
#include <voxflow/core/version.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace voxflow {

namespace {

// The NVIDIA compute capability (major * 10 + minor) Kokkos compiled device code for; 0 in a build without
// CUDA. Kokkos 4.x names it (KOKKOS_IMPL_ARCH_NVIDIA_GPU, from its KOKKOS_ARCH_* macro); 3.4.01 does not, and
// knows nothing newer than AMPERE86 but for the HOPPER90 of scripts/patches/kokkos-3.4.01-hopper90.patch: the
// architectures scripts/bootstrap-deps.sh builds for.
#if !defined(KOKKOS_ENABLE_CUDA)
constexpr int kokkos_cuda_capability = 0;
#elif defined(KOKKOS_IMPL_ARCH_NVIDIA_GPU)
constexpr int kokkos_cuda_capability = KOKKOS_IMPL_ARCH_NVIDIA_GPU;
#elif defined(KOKKOS_ARCH_HOPPER90)
constexpr int kokkos_cuda_capability = 90;
#elif defined(KOKKOS_ARCH_AMPERE86)
constexpr int kokkos_cuda_capability = 86;
#elif defined(KOKKOS_ARCH_AMPERE80)
constexpr int kokkos_cuda_capability = 80;
#else
constexpr int kokkos_cuda_capability = -1;  // a Kokkos 3.4 architecture this table does not name
#endif

}  // namespace

Runtime::Runtime(int& argc, char** argv, int threads) {
  retire_host_blas_threads();
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

int built_compute_capability() {
  return kokkos_cuda_capability;
}

std::string built_capability_line(int built) {
  if (built == 0) return "device code: none (built without a device backend)";
  if (built < 0)
    return "device code: built for an NVIDIA architecture voxflow does not name (see Kokkos_ARCH_*)";
  return "device code: built for compute capability " + std::to_string(built / 10) + "." +
         std::to_string(built % 10) + " (sm_" + std::to_string(built) + ")";
}

std::string capability_mismatch_warning(int built, int device_major, int device_minor) {
  if (built <= 0) return {};
  int const device = device_major * 10 + device_minor;
  if (device == built) return {};
  std::string const built_text = std::to_string(built / 10) + "." + std::to_string(built % 10);
  std::string const device_text = std::to_string(device_major) + "." + std::to_string(device_minor);
  // The same major capability with a higher minor runs the SASS unchanged; anything else needs a rebuild
  // (Kokkos refuses a different major capability at start-up).
  std::string const consequence = device_major == built / 10 && device_minor > built % 10
                                      ? "it runs, perhaps below the device's best speed"
                                      : "it cannot run there";
  return "warning: device code built for compute capability " + built_text + ", but the device has " +
         device_text + ": " + consequence +
         "; rebuild with VOXFLOW_CUDA_ARCH (scripts/bootstrap-deps.sh) or "
         "a Kokkos built with the device's Kokkos_ARCH_* (docs/gpu-runbook.md)";
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
       << " GiB (" << static_cast<double>(free_memory_bytes(cuda)) / (1024.0 * 1024.0 * 1024.0)
       << " GiB free)\n";
    os << built_capability_line(built_compute_capability()) << "\n";
    auto const warning = capability_mismatch_warning(built_compute_capability(), prop.major, prop.minor);
    if (!warning.empty()) os << warning << "\n";
  }
#else
  os << "device: none (built without a device backend)\n";
  os << built_capability_line(built_compute_capability()) << "\n";
#endif
}

}  // namespace voxflow
