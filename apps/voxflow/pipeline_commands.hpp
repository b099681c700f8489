// The pipeline subcommands of `voxflow`: run, validate, dump-defaults, simulate. Each looks the modality up
// in the registry (modality_registry.hpp); none names one.
#ifndef VOXFLOW_APPS_PIPELINE_COMMANDS_HPP
#define VOXFLOW_APPS_PIPELINE_COMMANDS_HPP

#include <voxflow/core/runtime.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace voxflow::app {

struct CommonOptions {
  int threads = 0;
  std::optional<std::string> backend;
  std::vector<std::string> kokkos_args;  // --kokkos-* flags, passed to Kokkos::initialize
  std::string program;
};

struct RunCommand {
  std::string config;
  std::optional<std::string> output_dir;
  bool overwrite = false, resume = false, quiet = false;
  // --subject-index: run only this subject of a cohort (one task of a Slurm job array).
  std::optional<std::size_t> subject_index;
  std::vector<std::string> participant_labels, session_labels;  // cohorts: which subjects to run
};

struct SimulateCommand {
  std::string modality, out_dir;
  std::map<std::string, std::map<std::string, std::string>> options;  // per modality: option -> value
};

// Kokkos with the --kokkos-* flags and the host thread count of the command line, else `configured_threads`
// (0: OMP_NUM_THREADS or all cores).
Runtime start_kokkos(CommonOptions const& common, int configured_threads);

// Reads the configuration first, so that its `threads` key sizes the host thread pool Kokkos starts with. A
// cohort configuration (a `subjects` list) goes to run_cohort (cohort_command.hpp).
int run_config(RunCommand const& run, CommonOptions const& common);
// Header checks of every input; with `deep`, also every NIfTI input read in full (deep_validation.hpp). The
// message says which check ran.
int validate_config(std::string const& config, bool deep);
int dump_defaults(std::string const& modality);
int simulate_subject(SimulateCommand const& sim, CommonOptions const& common);

}  // namespace voxflow::app

#endif
