// voxflow-bench: throughput of voxflow's fitting kernels in voxels/s, per backend and thread count.
// Benchmarks, never timed tests, show speed. Each thread count runs in its own child process, since Kokkos
// fixes the host thread count at initialisation.
#include "app_support.hpp"
#include "asl_bench.hpp"
#include "cohort_bench.hpp"
#include "dce_bench.hpp"
#include "dsc_bench.hpp"
#include "ivim_bench.hpp"
#include "lm_bench.hpp"
#include "run_bench.hpp"
#include "t1_bench.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/core/runtime.hpp>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace {

std::string self_path(char const* argv0) {
  char buffer[4096];
  ssize_t const n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string(argv0);
}

// Options every subcommand takes.
void add_common(CLI::App* cmd, voxflow::bench::BenchOptions& o, std::vector<int>& threads, bool& child) {
  cmd->add_option("--voxels", o.voxels, "number of voxels")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--frames", o.frames, "time points per voxel")
      ->capture_default_str()
      ->check(CLI::Range(3, 100000));
  cmd->add_option("--noise", o.noise, "noise SD as a fraction of each curve's maximum")
      ->capture_default_str();
  cmd->add_option("--repeats", o.repeats, "timed repetitions (best and median reported)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--backend", o.backend, "auto, host, device or serial")->capture_default_str();
  cmd->add_option("--threads", threads, "host thread counts to run, e.g. 1,2")->delimiter(',');
  cmd->add_flag("--child", child)->group("");  // internal: run one configuration in this process
}

}  // namespace

int main(int argc, char** argv) {
  auto split = voxflow::app::split_kokkos_args(argc, argv);
  CLI::App app{"voxflow-bench: voxels/s of voxflow's fitting kernels per backend and thread count",
               "voxflow-bench"};
  app.require_subcommand(1);
  voxflow::bench::BenchOptions o;
  std::vector<int> threads{1, 2};
  bool child = false;
  auto* lm_cmd = app.add_subcommand("lm", "Levenberg-Marquardt core on synthetic exponential voxels");
  lm_cmd->add_option("--model", o.model, "exp_offset (A exp(-kt) + c) or mono_exp (A exp(-kt))");
  add_common(lm_cmd, o, threads, child);
  auto* dce_cmd = app.add_subcommand("dce", "DCE model fits (T frames 4 s apart, Parker AIF, noise)");
  dce_cmd->add_option("--model", o.model, "tofts, extended_tofts, patlak, 2cxm or 2cum");
  dce_cmd->add_flag("--fit-delay", o.fit_delay, "fit an arterial delay as well");
  dce_cmd->add_flag("--no-lanes", o.no_lanes, "one voxel per work item on the host too (no SIMD lane packs)");
  add_common(dce_cmd, o, threads, child);
  auto* asl_cmd = app.add_subcommand(
      "asl",
      "ASL quantification (6 delays x 2 label/control pairs; --noise: SD of each delay's mean dM over "
      "the grey-matter peak)");
  asl_cmd->add_option("--model", o.model, "multi_pld (Buxton fit of CBF and ATT) or single_pld");
  add_common(asl_cmd, o, threads, child);
  auto* ivim_cmd = app.add_subcommand(
      "ivim",
      "IVIM fits (default 300000 voxels, 11 b-values 0..800 s/mm^2; --frames sets the b-value count)");
  ivim_cmd->add_option("--model", o.model, "segmented, full, bayesian or all (default)");
  add_common(ivim_cmd, o, threads, child);
  auto* dsc_cmd =
      app.add_subcommand("dsc", "DSC deconvolution (300000 voxels, 60 frames 1.5 s apart, gamma AIF)");
  dsc_cmd->add_option("--model", o.model, "ssvd, csvd, osvd, tikhonov or all (default: each in turn)");
  add_common(dsc_cmd, o, threads, child);
  auto* t1_cmd = app.add_subcommand(
      "t1",
      "T1 mapping (VFA: --frames flip angles 2..20 deg, default 4; Look-Locker: --frames inversion times)");
  t1_cmd->add_option("--model", o.model,
                     "nonlinear, nonlinear_b1, linear, two_point, look_locker or all (default)");
  t1_cmd->add_flag("--no-lanes", o.no_lanes, "one voxel per work item on the host too (no SIMD lane packs)");
  add_common(t1_cmd, o, threads, child);

  voxflow::bench::CohortBenchOptions cohort;
  auto* cohort_cmd = app.add_subcommand(
      "cohort", "a cohort of simulated DCE subjects run by 1 and 2 workers (MPI ranks): parallel efficiency");
  cohort_cmd->add_option("--subjects", cohort.subjects, "subjects")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cohort_cmd->add_option("--matrix", cohort.matrix, "nx,ny,nz of each subject")->capture_default_str();
  cohort_cmd->add_option("--workers", cohort.workers, "worker counts, e.g. 1,2")->delimiter(',');
  cohort_cmd->add_option("--threads", cohort.threads, "host threads per worker")->capture_default_str();
  cohort_cmd->add_option("--repeats", cohort.repeats, "runs per worker count (median)")
      ->capture_default_str();
  cohort_cmd->add_option("--voxflow", cohort.voxflow, "the voxflow executable (default: beside this one)");
  cohort_cmd->add_option("--mpiexec", cohort.mpiexec, "MPI launcher, or none for worker processes")
      ->capture_default_str();
  cohort_cmd->add_option("--work-dir", cohort.work_dir, "keep the cohort and its outputs here");

  voxflow::bench::RunBenchOptions whole;
  auto* run_cmd = app.add_subcommand(
      "run", "the whole pipeline (voxflow run) on a simulated DCE subject: per-stage seconds and peak RSS");
  run_cmd->add_option("--matrix", whole.matrix, "nx,ny,nz of the subject")->capture_default_str();
  run_cmd->add_option("--frames", whole.frames, "time points")
      ->capture_default_str()
      ->check(CLI::Range(3, 100000));
  run_cmd->add_option("--model", whole.model, "the simulated and fitted DCE model")->capture_default_str();
  run_cmd->add_option("--threads", whole.threads, "host thread counts, e.g. 1,2")->delimiter(',');
  run_cmd->add_option("--repeats", whole.repeats, "runs per thread count")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--voxflow", whole.voxflow, "the voxflow executable (default: beside this one)");
  run_cmd->add_option("--work-dir", whole.work_dir, "keep the subject and its outputs here");

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
  std::string const subcommand = *lm_cmd     ? "lm"
                                 : *asl_cmd  ? "asl"
                                 : *ivim_cmd ? "ivim"
                                 : *dsc_cmd  ? "dsc"
                                 : *t1_cmd   ? "t1"
                                             : "dce";
  if (o.model.empty())
    o.model = *lm_cmd                              ? "exp_offset"
              : *asl_cmd                           ? "multi_pld"
              : (*ivim_cmd || *dsc_cmd || *t1_cmd) ? "all"
                                                   : "extended_tofts";
  if (*ivim_cmd && ivim_cmd->count("--voxels") == 0) o.voxels = 300000;
  if (*ivim_cmd && ivim_cmd->count("--frames") == 0) o.frames = 11;
  if (*dsc_cmd && dsc_cmd->count("--voxels") == 0) o.voxels = 300000;
  if (*dsc_cmd && dsc_cmd->count("--frames") == 0) o.frames = 60;
  if (*t1_cmd && t1_cmd->count("--frames") == 0) o.frames = 4;

  if (*run_cmd)  // runs the voxflow executable too
    return voxflow::app::run_guarded("voxflow-bench", [&]() { return voxflow::bench::run_run_bench(whole); });
  if (*cohort_cmd)  // runs the voxflow executable; needs no Kokkos of its own
    return voxflow::app::run_guarded("voxflow-bench",
                                     [&]() { return voxflow::bench::run_cohort_bench(cohort); });
  return voxflow::app::run_guarded("voxflow-bench", [&]() {
    if (!child) {
      int worst = 0;
      for (int t : threads) {
        std::ostringstream cmd;
        cmd << "'" << self_path(argv[0]) << "' " << subcommand << " --child --threads " << t << " --model "
            << o.model << " --voxels " << o.voxels << " --frames " << o.frames << " --noise " << o.noise
            << " --repeats " << o.repeats << " --backend " << o.backend << (o.fit_delay ? " --fit-delay" : "")
            << (o.no_lanes ? " --no-lanes" : "");
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
    if (subcommand == "asl") return voxflow::bench::run_asl_bench(o);
    if (subcommand == "ivim") return voxflow::bench::run_ivim_bench(o);
    if (subcommand == "dsc") return voxflow::bench::run_dsc_bench(o);
    if (subcommand == "t1") return voxflow::bench::run_t1_bench(o);
    return subcommand == "lm" ? voxflow::bench::run_lm_bench(o) : voxflow::bench::run_dce_bench(o);
  });
}
