#include <voxflow/core/thread_count.hpp>

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace voxflow {

namespace {

// The first whole number of OMP_NUM_THREADS ("8" or "8,4"), 0 when it has none.
long first_number(char const* text) {
  if (text == nullptr) return 0;
  char* end = nullptr;
  long const value = std::strtol(text, &end, 10);  // LONG_MAX when out of range: still too many
  return end == text || value < 0 ? 0 : value;
}

}  // namespace

HostThreadChoice choose_host_threads(int requested, char const* omp_num_threads, int available_cpus) {
  HostThreadChoice choice;
  long const wanted = requested > 0 ? requested : first_number(omp_num_threads);
  if (wanted <= kokkos_max_host_threads) {
    choice.threads = requested > 0 ? requested : 0;
    return choice;
  }
  choice.threads = std::clamp(available_cpus, 1, kokkos_max_host_threads);
  std::string const source = requested > 0 ? "threads " + std::to_string(requested)
                                           : "OMP_NUM_THREADS=" + std::string(omp_num_threads);
  choice.note = source + " is more than the " + std::to_string(kokkos_max_host_threads) +
                " host threads Kokkos' OpenMP backend supports; running with " +
                std::to_string(choice.threads) + " (the CPUs this process may use)";
  return choice;
}

int available_cpus() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace voxflow
