#include "bench_options.hpp"

#include <sys/resource.h>

#include <cstdio>

namespace voxflow::bench {

Backend bench_backend(BenchOptions const& o) {
  Backend requested;
  if (!parse_backend(o.backend, requested))
    throw Error(ExitCode::usage, "unknown backend '" + o.backend + "' (" + enum_choices(backend_names) + ")");
  return resolve_backend(requested);
}

void print_result(std::string const& subcommand, BenchOptions const& o, char const* space_name, int threads,
                  BenchResult const& r) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double const best = r.seconds.front();
  std::printf(
      "%s model=%s%s space=%s threads=%d voxels=%d frames=%d noise=%g best_s=%.5f median_s=%.5f max_s=%.5f "
      "voxels_per_s=%.4g median_voxels_per_s=%.4g "
      "mean_iterations=%.2f usable=%.2f%% peak_rss_mib=%.1f\n",
      subcommand.c_str(), o.model.c_str(), o.fit_delay ? "+delay" : "", space_name, threads, o.voxels,
      o.frames, o.noise, best, r.seconds[r.seconds.size() / 2], r.seconds.back(), o.voxels / best,
      o.voxels / r.seconds[r.seconds.size() / 2], r.mean_iterations, r.usable_percent,
      usage.ru_maxrss / 1024.0);
  std::fflush(stdout);
}

}  // namespace voxflow::bench
