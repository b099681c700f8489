// ASL (PCASL, CASL, PASL; single- and multi-delay) as a modality of the subject pipeline: its keys, its
// configuration, and its synthetic subjects. Registered in ../modality_list.def.
#include "asl_analysis.hpp"
#include "asl_settings.hpp"
#include "asl_simulation.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/modality.hpp>
#include <voxflow/pipeline/simulation_options.hpp>

#include <sstream>

namespace voxflow::pipeline {

namespace asl_run {
namespace {

std::string delay_list_text(std::vector<double> const& plds) {
  std::string text;
  for (double p : plds) text += (text.empty() ? "" : ",") + simulation_text(p);
  return text;
}

class AslModality final : public Modality {
 public:
  AslModality() : schema_(modality_schema("asl", "ASL (arterial spin labeling)", asl_keys())) {}

  std::string name() const override { return "asl"; }
  std::string bids_datatype() const override { return "perf"; }
  ConfigSchema const& schema() const override { return schema_; }

  std::unique_ptr<SubjectAnalysis> configure(RunConfig const& config) const override {
    return std::make_unique<AslAnalysis>(read_asl_settings(config), config.settings().subject);
  }

  std::vector<SimulationOption> simulation_options() const override {
    AslSimulation const d;  // the defaults live in one place: the simulation's own
    return {
        {"method", enum_choices(asl::asl_method_names), enum_name(asl::asl_method_names, d.method)},
        {"matrix", "nx,ny,nz", simulation_text(d.matrix)},
        {"plds", "post-labeling delays, s, comma-separated", delay_list_text(d.plds_s)},
        {"repeats", "label/control pairs per delay", std::to_string(d.repeats)},
        {"noise", "noise SD of every volume relative to the largest control - label difference",
         simulation_text(d.noise)},
        {"seed", "random seed", std::to_string(d.seed)},
    };
  }

  SimulationResult simulate(std::string const& out_dir,
                            std::map<std::string, std::string> const& options) const override {
    AslSimulation sim;
    sim.out_dir = out_dir;
    auto const method = parse_enum(asl::asl_method_names, options.at("method"));
    if (!method) throw Error(ExitCode::usage, "simulate --method: " + enum_choices(asl::asl_method_names));
    sim.method = *method;
    sim.matrix = simulation_matrix(options, "matrix");
    sim.plds_s.clear();
    std::stringstream list(options.at("plds"));
    for (std::string item; std::getline(list, item, ',');)
      sim.plds_s.push_back(simulation_number({{"plds", item}}, "plds"));
    sim.repeats = simulation_integer(options, "repeats");
    sim.noise = simulation_number(options, "noise");
    sim.seed = static_cast<unsigned>(simulation_integer(options, "seed"));
    std::string const config = simulate_asl(sim);
    std::ostringstream summary;
    summary << "simulated PCASL subject (" << sim.matrix[0] << "x" << sim.matrix[1] << "x" << sim.matrix[2]
            << ", " << sim.plds_s.size() << " delays x " << sim.repeats << " pairs, "
            << enum_name(asl::asl_method_names, sim.method) << ") -> " << config;
    return {config, summary.str()};
  }

 private:
  ConfigSchema schema_;
};

}  // namespace
}  // namespace asl_run

Modality const& asl_modality() {
  static asl_run::AslModality const modality;
  return modality;
}

}  // namespace voxflow::pipeline
