// Options shared by every voxflow-bench subcommand, and the result line they print.
#ifndef VOXFLOW_APPS_BENCH_OPTIONS_HPP
#define VOXFLOW_APPS_BENCH_OPTIONS_HPP

#include <voxflow/core/backend.hpp>
#include <voxflow/core/enum_names.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/core/fit_status.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace voxflow::bench {

struct BenchOptions {
  std::string model;  // which model the subcommand times
  int voxels = 100000;
  int frames = 80;
  double noise = 0.01;  // Gaussian SD as a fraction of each voxel's curve maximum
  int repeats = 5;
  std::string backend = "host";
  unsigned seed = 20261125u;
  bool fit_delay = false;  // dce only
  bool no_lanes =
      false;  // dce and t1: one voxel per work item on the host too (fit::LMOptions::lane_packs off)
};

// The execution space o.backend names, resolved (never automatic); Error(usage) for an unknown name.
Backend bench_backend(BenchOptions const& o);

// The methods a subcommand times: each of `table` in its order for o.model "all", else the one o.model names;
// Error(usage) naming `what` ("DSC method") otherwise.
template <class Enum, std::size_t N>
std::vector<Enum> bench_methods(EnumTable<Enum, N> const& table, BenchOptions const& o,
                                std::string const& what) {
  if (o.model == "all") {
    std::vector<Enum> all;
    for (auto const& entry : table)
      if (enum_name(table, entry.value) == std::string(entry.name)) all.push_back(entry.value);
    return all;
  }
  auto const method = parse_enum(table, o.model);
  if (!method)
    throw Error(ExitCode::usage,
                "unknown " + what + " '" + o.model + "' (" + enum_choices(table) + " or all)");
  return {*method};
}

// Timing of one configuration: best and median of the repeats, iterations, usable fits.
struct BenchResult {
  std::vector<double> seconds;  // sorted
  double mean_iterations = 0.0;
  double usable_percent = 0.0;
};

// Sorts the timings and counts iterations and usable fits of a finished run (host copies of the fit outputs).
template <class StatusView, class IterationView>
BenchResult summarize(std::vector<double> seconds, StatusView const& status,
                      IterationView const& iterations) {
  std::sort(seconds.begin(), seconds.end());
  BenchResult result{seconds, 0.0, 0.0};
  double const n = static_cast<double>(status.extent(0));
  for (std::size_t v = 0; v < status.extent(0); ++v) {
    result.mean_iterations += iterations(v) / n;
    result.usable_percent += fit_status_usable(static_cast<FitStatus>(status(v))) ? 100.0 / n : 0.0;
  }
  return result;
}

// Prints "<subcommand> model=... space=... threads=... voxels=... frames=... best_s=... median_s=...
// max_s=... voxels_per_s=... (at the best time) median_voxels_per_s=... mean_iterations=... usable=...%
// peak_rss_mib=...".
void print_result(std::string const& subcommand, BenchOptions const& o, char const* space_name, int threads,
                  BenchResult const& r);

}  // namespace voxflow::bench

#endif
