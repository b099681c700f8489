// DCE-MRI (with T1 mapping from a VFA series in the same run) as a modality of the subject pipeline: its
// keys, its configuration, and its synthetic subjects. Registered in ../modality_list.def.
#include "dce_analysis.hpp"
#include "dce_settings.hpp"
#include "dce_simulation.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/modality.hpp>

#include <cstdlib>
#include <sstream>

namespace voxflow::pipeline {

namespace dce_run {
namespace {

std::string text_of(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

double number_option(std::map<std::string, std::string> const& options, std::string const& name) {
  std::string const& text = options.at(name);
  char* end = nullptr;
  double const v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0')
    throw Error(ExitCode::usage, "simulate --" + name + ": a number, found '" + text + "'");
  return v;
}

int integer_option(std::map<std::string, std::string> const& options, std::string const& name) {
  double const v = number_option(options, name);
  if (v != static_cast<int>(v)) throw Error(ExitCode::usage, "simulate --" + name + ": a whole number");
  return static_cast<int>(v);
}

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
        {"matrix", "nx,ny,nz",
         std::to_string(d.matrix[0]) + "," + std::to_string(d.matrix[1]) + "," + std::to_string(d.matrix[2])},
        {"frames", "time points", std::to_string(d.frames)},
        {"frame-time", "seconds between frames", text_of(d.frame_s)},
        {"noise", "noise SD relative to each curve's maximum", text_of(d.noise)},
        {"bolus-delay", "AIF arrival after the first frame, s", text_of(d.bolus_delay_s)},
        {"tissue-delay", "arterial delay of the tissue, s (fitted)", text_of(d.tissue_delay_s)},
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
    std::istringstream matrix(options.at("matrix"));
    char comma1 = 0, comma2 = 0;
    if (!(matrix >> sim.matrix[0] >> comma1 >> sim.matrix[1] >> comma2 >> sim.matrix[2]) || comma1 != ',' ||
        comma2 != ',' || !matrix.eof())
      throw Error(ExitCode::usage, "simulate --matrix: nx,ny,nz, e.g. 32,32,4");
    sim.frames = integer_option(options, "frames");
    sim.frame_s = number_option(options, "frame-time");
    sim.noise = number_option(options, "noise");
    sim.bolus_delay_s = number_option(options, "bolus-delay");
    sim.tissue_delay_s = number_option(options, "tissue-delay");
    sim.input = options.at("input");
    sim.seed = static_cast<unsigned>(integer_option(options, "seed"));
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
