// DSC-MRI as a modality of the subject pipeline: its keys, its configuration, and its synthetic subjects.
// Registered in ../modality_list.def.
#include "dsc_analysis.hpp"
#include "dsc_settings.hpp"
#include "dsc_simulation.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/modality.hpp>
#include <voxflow/pipeline/simulation_options.hpp>

#include <sstream>

namespace voxflow::pipeline {

namespace dsc_run {
namespace {

class DscModality final : public Modality {
 public:
  DscModality() : schema_(modality_schema("dsc", "DSC-MRI", dsc_keys())) {}

  std::string name() const override { return "dsc"; }
  std::string bids_datatype() const override { return "perf"; }
  ConfigSchema const& schema() const override { return schema_; }

  std::unique_ptr<SubjectAnalysis> configure(RunConfig const& config) const override {
    return std::make_unique<DscAnalysis>(read_dsc_settings(config), config.settings().subject);
  }

  std::vector<SimulationOption> simulation_options() const override {
    DscSimulation const d;
    return {
        {"method", enum_choices(dsc::deconvolution_method_names), dsc::deconvolution_method_name(d.method)},
        {"matrix", "nx,ny,nz", simulation_text(d.matrix)},
        {"frames", "time points", std::to_string(d.frames)},
        {"frame-time", "seconds between frames", simulation_text(d.frame_s)},
        {"echo-time", "TE, s", simulation_text(d.echo_time_s)},
        {"noise", "signal noise SD relative to S0", simulation_text(d.noise)},
        {"bolus-arrival", "AIF arrival after the first frame, s", simulation_text(d.bolus_arrival_s)},
        {"tissue-delay", "delay of every tissue curve relative to the AIF, s",
         simulation_text(d.tissue_delay_s)},
        {"residue", "exponential, boxcar or gamma (transit times of shape 3)", d.residue},
        {"leakage", "K2 (1/s) of a T1 leakage term in the last quarter of x (0: none)",
         simulation_text(d.leakage_k2)},
        {"seed", "random seed", std::to_string(d.seed)},
    };
  }

  SimulationResult simulate(std::string const& out_dir,
                            std::map<std::string, std::string> const& options) const override {
    DscSimulation sim;
    sim.out_dir = out_dir;
    auto const method = parse_enum(dsc::deconvolution_method_names, options.at("method"));
    if (!method)
      throw Error(ExitCode::usage, "simulate --method: " + enum_choices(dsc::deconvolution_method_names));
    sim.method = *method;
    sim.matrix = simulation_matrix(options, "matrix");
    sim.frames = simulation_integer(options, "frames");
    sim.frame_s = simulation_number(options, "frame-time");
    sim.echo_time_s = simulation_number(options, "echo-time");
    sim.noise = simulation_number(options, "noise");
    sim.bolus_arrival_s = simulation_number(options, "bolus-arrival");
    sim.tissue_delay_s = simulation_number(options, "tissue-delay");
    sim.residue = options.at("residue");
    sim.leakage_k2 = simulation_number(options, "leakage");
    sim.seed = static_cast<unsigned>(simulation_integer(options, "seed"));
    std::string const config = simulate_dsc(sim);
    std::ostringstream summary;
    summary << "simulated DSC subject (" << sim.matrix[0] << "x" << sim.matrix[1] << "x" << sim.matrix[2]
            << ", " << sim.frames << " frames, " << sim.residue << " residue) -> " << config;
    return {config, summary.str()};
  }

 private:
  ConfigSchema schema_;
};

}  // namespace
}  // namespace dsc_run

Modality const& dsc_modality() {
  static dsc_run::DscModality const modality;
  return modality;
}

}  // namespace voxflow::pipeline
