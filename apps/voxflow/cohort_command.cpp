#include "cohort_command.hpp"

#include "mpi_session.hpp"
#if defined(VOXFLOW_WITH_MPI)
#include "cohort_mpi.hpp"
#endif

#include <voxflow/cohort/cohort_run.hpp>
#include <voxflow/cohort/device_binding.hpp>

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace voxflow::app {

namespace {

// Host threads for one of `local_ranks` ranks on this node: the CPUs this process may run on (a launcher
// that binds ranks has already divided them), or else an equal share of the node's hardware threads.
int host_thread_share(int local_ranks) {
  int const hardware = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  int allowed = hardware;
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) allowed = std::max(1, CPU_COUNT(&set));
  return std::max(1, std::min(allowed, hardware / std::max(1, local_ranks)));
}

// The Kokkos flags with this rank's device added (local rank modulo the visible devices), unless the user
// chose one (--kokkos-device-id, --kokkos-map-device-id-by or their KOKKOS_* variables) or the build has no
// device: then as given.
std::vector<std::string> with_rank_device(std::vector<std::string> args, MpiWorld const& world) {
  if (std::getenv("KOKKOS_DEVICE_ID") != nullptr || std::getenv("KOKKOS_MAP_DEVICE_ID_BY") != nullptr)
    return args;
  for (auto const& a : args)
    if (a.rfind("--kokkos-device", 0) == 0 || a.rfind("--kokkos-map-device-id-by", 0) == 0) return args;
  int const device = cohort::device_for_rank([](char const* name) { return std::getenv(name); },
                                             world.local_rank, cohort::visible_device_count());
  if (device >= 0) args.push_back(cohort::kokkos_device_argument(device));
  return args;
}

}  // namespace

int run_cohort(RunCommand const& run, CommonOptions const& common,
               std::vector<pipeline::RunConfig> const& subjects) {
  MpiWorld const& world = mpi_world();
  // --threads is already in every configuration (an override); OMP_NUM_THREADS is the user's word too.
  int threads = subjects.at(0).settings().threads;
  if (threads == 0 && world.size > 1 && std::getenv("OMP_NUM_THREADS") == nullptr)
    threads = host_thread_share(world.local_size);
  CommonOptions bound = common;
  bound.kokkos_args = with_rank_device(common.kokkos_args, world);
  auto const runtime = start_kokkos(bound, threads);
  pipeline::RunOptions options;
  options.resume = run.resume;
  // Progress lines of several ranks would interleave on one terminal.
  options.quiet = run.quiet || world.size > 1;
#if defined(VOXFLOW_WITH_MPI)
  if (world.size > 1) return static_cast<int>(run_cohort_mpi(subjects, options));
#endif
  return static_cast<int>(cohort::run_cohort_in_sequence(subjects, options));
}

}  // namespace voxflow::app
