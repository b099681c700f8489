#include "pipeline_commands.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/config_schema.hpp>
#include <voxflow/pipeline/dce_config.hpp>
#include <voxflow/pipeline/dce_pipeline.hpp>
#include <voxflow/pipeline/simulate.hpp>

#include <cstdio>
#include <iostream>

namespace voxflow::app {

namespace {

pipeline::DceRunConfig load(std::string const& path, pipeline::Overrides const& overrides = {}) {
  std::string const modality = pipeline::config_modality(path);
  if (modality != "dce") throw ConfigError(path, "modality", "dce (the modality this version runs)");
  return pipeline::load_dce_config(path, overrides);
}

}  // namespace

int run_config(RunCommand const& run, CommonOptions const& common) {
  pipeline::Overrides overrides;
  overrides.backend = common.backend;
  overrides.output_dir = run.output_dir;
  if (common.threads > 0) overrides.threads = common.threads;
  overrides.overwrite = run.overwrite;
  auto const config = load(run.config, overrides);
  pipeline::RunOptions options;
  options.resume = run.resume;
  options.quiet = run.quiet;
  auto const report = pipeline::run_dce_subject(config, options);
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
  return 0;
}

int validate_config(std::string const& path) {
  auto const config = load(path);
  pipeline::check_dce_inputs(config);
  std::printf("%s: valid (dce, %s, inputs consistent)\n", path.c_str(),
              dce::dce_model_name(config.fit.model).c_str());
  return 0;
}

int dump_defaults(std::string const& modality) {
  std::cout << pipeline::defaults_yaml(modality);
  return 0;
}

int simulate_subject(SimulateCommand const& s) {
  if (s.modality != "dce")
    throw Error(ExitCode::usage, "simulate: modality 'dce' (found '" + s.modality + "')");
  pipeline::DceSimulation sim;
  sim.out_dir = s.out_dir;
  if (!dce::parse_dce_model(s.model, sim.model))
    throw Error(ExitCode::usage, "simulate --model: " + enum_choices(dce::dce_model_names));
  sim.matrix = {s.matrix.at(0), s.matrix.at(1), s.matrix.at(2)};
  sim.frames = s.frames;
  sim.frame_s = s.frame_s;
  sim.noise = s.noise;
  sim.bolus_delay_s = s.bolus_delay_s;
  sim.tissue_delay_s = s.tissue_delay_s;
  sim.input = s.input;
  sim.seed = s.seed;
  auto const config = pipeline::simulate_dce(sim);
  std::printf("simulated %s DCE subject (%dx%dx%d, %d frames, %s input) -> %s\n", s.model.c_str(),
              sim.matrix[0], sim.matrix[1], sim.matrix[2], sim.frames, sim.input.c_str(), config.c_str());
  return 0;
}

}  // namespace voxflow::app
