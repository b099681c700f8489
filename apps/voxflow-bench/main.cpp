// voxflow-bench: throughput of voxflow's kernels in voxels/s, per backend and thread count. Benchmarks, never timed
// tests, show speed. Each thread count runs in its own child process, since Kokkos fixes the host thread count at
// initialisation.
#include <voxflow/core/errors.hpp>
#include <voxflow/core/runtime.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "app_support.hpp"
#include "lm_bench.hpp"

namespace {

std::string self_path(char const* argv0) {
  char buffer[4096];
  ssize_t const n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string(argv0);
}

}  // namespace

int main(int argc, char** argv) {
  auto split = voxflow::app::split_kokkos_args(argc, argv);
  CLI::App app{"voxflow-bench: voxels/s of voxflow's fitting kernels per backend and thread count", "voxflow-bench"};
  app.require_subcommand(1);
  voxflow::bench::LMBenchOptions lm;
  std::vector<int> threads{1, 2};
  bool child = false;
  auto* lm_cmd = app.add_subcommand("lm", "Levenberg-Marquardt core on synthetic exponential voxels");
  lm_cmd->add_option("--model", lm.model, "exp_offset (A exp(-kt) + c) or mono_exp (A exp(-kt))")->capture_default_str();
  lm_cmd->add_option("--voxels", lm.voxels, "number of voxels")->capture_default_str()->check(CLI::PositiveNumber);
  lm_cmd->add_option("--frames", lm.frames, "time points per voxel")->capture_default_str()->check(CLI::Range(3, 100000));
  lm_cmd->add_option("--noise", lm.noise, "noise SD as a fraction of the curve maximum")->capture_default_str();
  lm_cmd->add_option("--repeats", lm.repeats, "timed repetitions (best and median reported)")->capture_default_str()->check(CLI::PositiveNumber);
  lm_cmd->add_option("--backend", lm.backend, "auto, host, device or serial")->capture_default_str();
  lm_cmd->add_option("--threads", threads, "host thread counts to run, e.g. 1,2")->capture_default_str()->delimiter(',');
  lm_cmd->add_flag("--child", child)->group("");  // internal: run one configuration in this process

  std::vector<std::string> own = split.own;
  std::reverse(own.begin(), own.end());
  try {
    app.parse(own);
  } catch (CLI::CallForHelp const& e) {
    return app.exit(e);
  } catch (CLI::ParseError const& e) {
    app.exit(e);
    return static_cast<int>(voxflow::ExitCode::usage);
  }

  return voxflow::app::run_guarded("voxflow-bench", [&]() {
    if (!child) {
      int worst = 0;
      for (int t : threads) {
        std::ostringstream cmd;
        cmd << "'" << self_path(argv[0]) << "' lm --child --threads " << t << " --model " << lm.model << " --voxels "
            << lm.voxels << " --frames " << lm.frames << " --noise " << lm.noise << " --repeats " << lm.repeats
            << " --backend " << lm.backend;
        for (auto const& k : split.kokkos) cmd << " '" << k << "'";
        std::cout.flush();
        int const rc = std::system(cmd.str().c_str());
        worst = std::max(worst, WIFEXITED(rc) ? WEXITSTATUS(rc) : 1);
      }
      return worst;
    }
    std::string program = argv[0];
    auto kargv = voxflow::app::kokkos_argv(program, split.kokkos);
    int kargc = static_cast<int>(kargv.size()) - 1;
    voxflow::Runtime runtime(kargc, kargv.data(), threads.empty() ? 0 : threads.front());
    return voxflow::bench::run_lm_bench(lm);
  });
}
