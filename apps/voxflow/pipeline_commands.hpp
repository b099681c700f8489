// The pipeline subcommands of `voxflow`: run, validate, dump-defaults, simulate.
#ifndef VOXFLOW_APPS_PIPELINE_COMMANDS_HPP
#define VOXFLOW_APPS_PIPELINE_COMMANDS_HPP

#include <optional>
#include <string>
#include <vector>

namespace voxflow::app {

struct CommonOptions {
  int threads = 0;
  std::optional<std::string> backend;
};

struct RunCommand {
  std::string config;
  std::optional<std::string> output_dir;
  bool overwrite = false, resume = false, quiet = false;
};

struct SimulateCommand {
  std::string modality, out_dir, model = "extended_tofts", input = "concentration";
  std::vector<int> matrix{32, 32, 4};
  int frames = 80;
  double frame_s = 4.0, noise = 0.01, bolus_delay_s = 0.0, tissue_delay_s = 0.0;
  unsigned seed = 1;
};

int run_config(RunCommand const& run, CommonOptions const& common);
int validate_config(std::string const& config);
int dump_defaults(std::string const& modality);
int simulate_subject(SimulateCommand const& sim);

}  // namespace voxflow::app

#endif
