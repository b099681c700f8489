// DCE-MRI (with T1 mapping from a VFA series in the same run) as a modality of the subject pipeline: its
// keys, its configuration, and its synthetic subjects. Registered in ../modality_list.def.
#include "dce_analysis.hpp"
#include "dce_settings.hpp"
#include "dce_simulation.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/modality.hpp>
#include <voxflow/pipeline/simulation_options.hpp>

#include <sstream>

namespace voxflow::pipeline {

namespace dce_run {
namespace {

class DceModality final : public Modality {
 public:
  DceModality() : schema_(modality_schema("dce", "DCE-MRI", dce_keys())) {}

  std::string name() const override { return "dce"; }
  std::string bids_datatype() const override { return "perf"; }
  ConfigSchema const& schema() const override { return schema_; }

  std::unique_ptr<SubjectAnalysis> configure(RunConfig const& config) const override {
    return std::make_unique<DceAnalysis>(read_dce_settings(config), config.settings().subject);
  }

  std::vector<SimulationOption> simulation_options() const override {
    DceSimulation const d;  // the defaults live in one place: the simulation's own
    return {
        {"model", enum_choices(dce::dce_model_names), dce::dce_model_name(d.model)},
        {"matrix", "nx,ny,nz", simulation_text(d.matrix)},
        {"frames", "time points", std::to_string(d.frames)},
        {"frame-time", "seconds between frames", simulation_text(d.frame_s)},
        {"noise", "noise SD relative to each curve's maximum", simulation_text(d.noise)},
        {"bolus-delay", "AIF arrival after the first frame, s", simulation_text(d.bolus_delay_s)},
        {"tissue-delay", "arterial delay of the tissue, s (fitted)", simulation_text(d.tissue_delay_s)},
        {"input", "concentration, signal (with a T1 map) or vfa (signal with a VFA series)", d.input},
        {"seed", "random seed", std::to_string(d.seed)},
    };
  }

  SimulationResult simulate(std::string const& out_dir,
                            std::map<std::string, std::string> const& options) const override {
    DceSimulation sim;
    sim.out_dir = out_dir;
    auto const model = parse_enum(dce::dce_model_names, options.at("model"));
    if (!model) throw Error(ExitCode::usage, "simulate --model: " + enum_choices(dce::dce_model_names));
    sim.model = *model;
    sim.matrix = simulation_matrix(options, "matrix");
    sim.frames = simulation_integer(options, "frames");
    sim.frame_s = simulation_number(options, "frame-time");
    sim.noise = simulation_number(options, "noise");
    sim.bolus_delay_s = simulation_number(options, "bolus-delay");
    sim.tissue_delay_s = simulation_number(options, "tissue-delay");
    sim.input = options.at("input");
    sim.seed = static_cast<unsigned>(simulation_integer(options, "seed"));
    std::string const config = simulate_dce(sim);
    std::ostringstream summary;
    summary << "simulated " << dce::dce_model_name(sim.model) << " DCE subject (" << sim.matrix[0] << "x"
            << sim.matrix[1] << "x" << sim.matrix[2] << ", " << sim.frames << " frames, " << sim.input
            << " input) -> " << config;
    return {config, summary.str()};
  }

 private:
  ConfigSchema schema_;
};

}  // namespace
}  // namespace dce_run

Modality const& dce_modality() {
  static dce_run::DceModality const modality;
  return modality;
}

}  // namespace voxflow::pipeline
