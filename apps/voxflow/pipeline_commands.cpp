#include "pipeline_commands.hpp"

#include "app_support.hpp"
#include "cohort_command.hpp"
#include "mpi_session.hpp"

#include <voxflow/cohort/subject_task.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/core/runtime.hpp>
#include <voxflow/pipeline/deep_validation.hpp>
#include <voxflow/pipeline/modality_registry.hpp>
#include <voxflow/pipeline/run_subject.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

namespace voxflow::app {

Runtime start_kokkos(CommonOptions const& common, int configured_threads) {
  std::string program = common.program;
  auto args = common.kokkos_args;
  auto kargv = kokkos_argv(program, args);
  int kargc = static_cast<int>(kargv.size()) - 1;
  return Runtime(kargc, kargv.data(), common.threads > 0 ? common.threads : configured_threads);
}

namespace {

// --subject-index N: one subject of the cohort in this process (one Slurm array task), its row merged into
// the shared ledger. Under an MPI launcher rank 0 runs it and the other ranks have nothing to do.
int run_subject_task(RunCommand const& run, CommonOptions const& common,
                     pipeline::CohortConfig const& configs) {
  if (!configs.is_cohort)
    throw ConfigError(run.config, "subjects",
                      "a cohort configuration (a `subjects` list) with --subject-index");
  std::size_t const index = *run.subject_index;
  cohort::check_subject_index(configs.subjects, index, run.config);
  if (mpi_world().rank != 0) return 0;
  auto const runtime = start_kokkos(common, configs.subjects[index].settings().threads);
  pipeline::RunOptions options;
  options.resume = run.resume;
  options.quiet = run.quiet;
  return static_cast<int>(cohort::run_cohort_subject_task(configs.subjects, index, options));
}

}  // namespace

int run_config(RunCommand const& run, CommonOptions const& common) {
  pipeline::Overrides overrides;
  overrides.backend = common.backend;
  // A folder on the command line is relative to where the command runs, not to the configuration file.
  if (run.output_dir)
    overrides.output_dir = std::filesystem::absolute(*run.output_dir).lexically_normal().string();
  if (common.threads > 0) overrides.threads = common.threads;
  overrides.overwrite = run.overwrite;
  overrides.participant_labels = run.participant_labels;
  overrides.session_labels = run.session_labels;
  auto const configs = pipeline::read_cohort_config(run.config, overrides);
  if (run.subject_index) return run_subject_task(run, common, configs);
  if (configs.is_cohort) return run_cohort(run, common, configs.subjects);
  // One subject under an MPI launcher: rank 0 runs it, the others have nothing to do.
  if (mpi_world().rank != 0) return 0;
  auto const& config = configs.subjects.front();
  auto const& modality = pipeline::find_modality(config.modality(), run.config);
  auto const runtime = start_kokkos(common, config.settings().threads);
  pipeline::RunOptions options;
  options.resume = run.resume;
  options.quiet = run.quiet;
  auto const report = pipeline::run_subject(modality, config, options);
  if (report.skipped) {
    std::printf("%s: skipped, outputs complete in %s\n", report.subject.c_str(), report.folder.c_str());
    return 0;
  }
  std::string stages;
  for (auto const& [stage, seconds] : report.stage_seconds) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), " %s %.3fs", stage.c_str(), seconds);
    stages += buffer;
  }
  std::printf("%s: %lld voxels fitted, %lld usable, %.3f s (%s) -> %s\n", report.subject.c_str(),
              static_cast<long long>(report.fitted), static_cast<long long>(report.usable),
              report.total_seconds, stages.substr(1).c_str(), report.folder.c_str());
  if (!report.failure.empty()) {
    std::fflush(stdout);
    std::fprintf(stderr, "voxflow: %s FAILED: %s\n", report.subject.c_str(), report.failure.c_str());
    return static_cast<int>(ExitCode::no_result);
  }
  return 0;
}

int validate_config(std::string const& path, bool deep) {
  auto const configs = pipeline::read_cohort_config(path);
  // Every subject of a cohort is checked; the first bad one stops the check with its own error.
  std::string what;
  std::vector<pipeline::DeepImageCheck> images;
  for (auto const& config : configs.subjects) {
    what = pipeline::validate_subject(config);
    if (deep) {
      auto const checked = pipeline::deep_check_images(config);
      images.insert(images.end(), checked.begin(), checked.end());
    }
  }
  std::string const subjects =
      configs.is_cohort ? std::to_string(configs.subjects.size()) + " subjects, " : std::string();
  std::string const extent = deep ? "inputs consistent; deep check: " + pipeline::describe_deep_check(images)
                                  : "inputs consistent; headers checked only, `validate --deep` reads every "
                                    "voxel";
  std::printf("%s: valid (%s%s, %s)\n", path.c_str(), subjects.c_str(), what.c_str(), extent.c_str());
  return 0;
}

int dump_defaults(std::string const& modality) {
  std::cout << pipeline::find_modality(modality, "dump-defaults").schema().document();
  return 0;
}

int simulate_subject(SimulateCommand const& sim, CommonOptions const& common) {
  auto const& modality = pipeline::find_modality(sim.modality, "simulate");
  auto const runtime = start_kokkos(common, 0);
  auto const result = modality.simulate(sim.out_dir, sim.options.at(sim.modality));
  std::printf("%s\n", result.summary.c_str());
  return 0;
}

}  // namespace voxflow::app
