#include "run_bench.hpp"

#include "child_process.hpp"

#include <voxflow/core/errors.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace voxflow::bench {

namespace {

// "validate 0.012s read 0.100s ..." from the summary line `voxflow run` prints for a subject.
std::vector<std::pair<std::string, double>> stage_seconds(std::string const& output) {
  std::vector<std::pair<std::string, double>> stages;
  auto const open = output.find(" s (");
  auto const close = open == std::string::npos ? open : output.find(") -> ", open);
  if (close == std::string::npos) return stages;
  std::istringstream in(output.substr(open + 4, close - open - 4));
  std::string name, value;
  while (in >> name >> value) stages.emplace_back(name, std::atof(value.c_str()));
  return stages;
}

// "min / median / max" of `values`.
std::string spread(std::vector<double> values, char const* format) {
  std::sort(values.begin(), values.end());
  char text[160];
  std::snprintf(text, sizeof(text), format, values.front(), values[values.size() / 2], values.back());
  return text;
}

}  // namespace

int run_run_bench(RunBenchOptions const& given) {
  RunBenchOptions o = given;
  if (o.voxflow.empty()) o.voxflow = default_voxflow();
  fs::path const dir = o.work_dir.empty()
                           ? fs::temp_directory_path() / ("voxflow-run-bench-" + std::to_string(::getpid()))
                           : fs::path(o.work_dir);
  fs::create_directories(dir);
  fs::path const subject = dir / "subject";
  auto const simulated = run_child(shell_quoted(o.voxflow) + " simulate --out " +
                                   shell_quoted(subject.string()) + " dce --noise 0.01 --model " + o.model +
                                   " --matrix " + o.matrix + " --frames " + std::to_string(o.frames));
  if (simulated.code != 0) throw Error(ExitCode::failure, "voxflow simulate failed: " + simulated.output);
  std::string const config = (subject / "config.yaml").string();
  std::uintmax_t input_bytes = 0;
  for (auto const& e : fs::directory_iterator(subject))
    if (e.path().filename().string().rfind("conc", 0) == 0) input_bytes += e.file_size();
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  std::printf(
      "run bench: one simulated DCE subject %s x %d frames (%s, .nii.gz input of %.1f MB), %d repeats; "
      "load average %.2f on %ld CPUs\n",
      o.matrix.c_str(), o.frames, o.model.c_str(), static_cast<double>(input_bytes) / 1e6, o.repeats, load[0],
      ::sysconf(_SC_NPROCESSORS_ONLN));
  int code = 0;
  for (int threads : o.threads) {
    std::vector<double> wall, cpu, rss, startup;
    std::map<std::string, std::vector<double>> stages;
    std::vector<std::string> order;
    fs::path const out = dir / ("out-" + std::to_string(threads));
    for (int r = 0; r < o.repeats; ++r) {
      fs::remove_all(out);
      auto const run =
          run_child(shell_quoted(o.voxflow) + " --threads " + std::to_string(threads) + " run --quiet " +
                    shell_quoted(config) + " --output " + shell_quoted(out.string()));
      if (run.code != 0) {
        std::fprintf(stderr, "voxflow-bench run: voxflow run exited with %d:\n%s\n", run.code,
                     run.output.c_str());
        if (code == 0) code = run.code;
        continue;
      }
      wall.push_back(run.wall_s);
      cpu.push_back(run.cpu_s);
      rss.push_back(run.peak_rss_mib);
      double staged = 0.0;
      for (auto const& [name, seconds] : stage_seconds(run.output)) {
        if (stages.find(name) == stages.end()) order.push_back(name);
        stages[name].push_back(seconds);
        staged += seconds;
      }
      startup.push_back(run.wall_s - staged);
    }
    if (wall.empty()) continue;
    std::printf("  %d thread(s): wall %s s, CPU %s s, peak RSS %s MiB\n", threads,
                spread(wall, "%.3f / %.3f / %.3f").c_str(), spread(cpu, "%.3f / %.3f / %.3f").c_str(),
                spread(rss, "%.0f / %.0f / %.0f").c_str());
    std::printf("    stages (min / median / max s):");
    for (auto const& name : order)
      std::printf(" %s %s;", name.c_str(), spread(stages[name], "%.3f/%.3f/%.3f").c_str());
    std::printf(" startup+exit %s\n", spread(startup, "%.3f/%.3f/%.3f").c_str());
  }
  if (o.work_dir.empty()) fs::remove_all(dir);
  return code;
}

}  // namespace voxflow::bench
