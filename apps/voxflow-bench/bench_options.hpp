// Options shared by every voxflow-bench subcommand, and the result line they print.
#ifndef VOXFLOW_APPS_BENCH_OPTIONS_HPP
#define VOXFLOW_APPS_BENCH_OPTIONS_HPP

#include <string>
#include <vector>

namespace voxflow::bench {

struct BenchOptions {
  std::string model;     // which model the subcommand times
  int voxels = 100000;
  int frames = 80;
  double noise = 0.01;   // Gaussian SD as a fraction of each voxel's curve maximum
  int repeats = 5;
  std::string backend = "host";
  unsigned seed = 20261125u;
  bool fit_delay = false;  // dce only
};

// Timing of one configuration: best and median of the repeats, iterations, usable fits.
struct BenchResult {
  std::vector<double> seconds;  // sorted
  double mean_iterations = 0.0;
  double usable_percent = 0.0;
};

// Prints "<subcommand> model=... space=... threads=... voxels=... frames=... best_s=... voxels_per_s=...
// mean_iterations=... usable=...% peak_rss_mib=...".
void print_result(std::string const& subcommand, BenchOptions const& o, char const* space_name, int threads,
                  BenchResult const& r);

}  // namespace voxflow::bench

#endif
