// IVIM (intravoxel incoherent motion) as a modality of the subject pipeline: its keys, its configuration, and
// its synthetic subjects. Registered in ../modality_list.def.
#include "ivim_analysis.hpp"
#include "ivim_settings.hpp"
#include "ivim_simulation.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/modality.hpp>
#include <voxflow/pipeline/simulation_options.hpp>

#include <sstream>

namespace voxflow::pipeline {

namespace ivim_run {
namespace {

std::string b_value_text(std::vector<double> const& b) {
  std::string text;
  for (double v : b) text += (text.empty() ? "" : ",") + simulation_text(v);
  return text;
}

// "0,10,20,...": the --b-values option.
std::vector<double> parse_b_values(std::string const& text) {
  std::vector<double> b;
  std::istringstream in(text);
  std::string word;
  while (std::getline(in, word, ',')) {
    char* end = nullptr;
    double const v = std::strtod(word.c_str(), &end);
    if (word.empty() || *end != '\0' || !(v >= 0.0))
      throw Error(ExitCode::usage,
                  "simulate --b-values: comma-separated b-values >= 0, found '" + text + "'");
    b.push_back(v);
  }
  return b;
}

class IvimModality final : public Modality {
 public:
  IvimModality() : schema_(modality_schema("ivim", "IVIM diffusion MRI", ivim_keys())) {}

  std::string name() const override { return "ivim"; }
  std::string bids_datatype() const override { return "dwi"; }
  ConfigSchema const& schema() const override { return schema_; }

  std::unique_ptr<SubjectAnalysis> configure(RunConfig const& config) const override {
    return std::make_unique<IvimAnalysis>(read_ivim_settings(config), config.settings().subject);
  }

  std::vector<SimulationOption> simulation_options() const override {
    IvimSimulation const d;  // the defaults live in one place: the simulation's own
    return {
        {"method", enum_choices(ivim::ivim_method_names), ivim::ivim_method_name(d.method)},
        {"matrix", "nx,ny,nz", simulation_text(d.matrix)},
        {"b-values", "comma-separated b-values, s/mm^2 (one b = 0)", b_value_text(d.b_values)},
        {"directions", "volumes per b > 0 (averaged into the trace)", std::to_string(d.directions)},
        {"noise", "Gaussian noise SD relative to S0", simulation_text(d.noise)},
        {"seed", "random seed", std::to_string(d.seed)},
    };
  }

  SimulationResult simulate(std::string const& out_dir,
                            std::map<std::string, std::string> const& options) const override {
    IvimSimulation sim;
    sim.out_dir = out_dir;
    auto const method = parse_enum(ivim::ivim_method_names, options.at("method"));
    if (!method) throw Error(ExitCode::usage, "simulate --method: " + enum_choices(ivim::ivim_method_names));
    sim.method = *method;
    sim.matrix = simulation_matrix(options, "matrix");
    sim.b_values = parse_b_values(options.at("b-values"));
    sim.directions = simulation_integer(options, "directions");
    sim.noise = simulation_number(options, "noise");
    sim.seed = static_cast<unsigned>(simulation_integer(options, "seed"));
    std::string const config = simulate_ivim(sim);
    std::ostringstream summary;
    summary << "simulated IVIM subject (" << sim.matrix[0] << "x" << sim.matrix[1] << "x" << sim.matrix[2]
            << ", " << sim.b_values.size() << " b-values, " << sim.directions << " directions, "
            << ivim::ivim_method_name(sim.method) << ") -> " << config;
    return {config, summary.str()};
  }

 private:
  ConfigSchema schema_;
};

}  // namespace
}  // namespace ivim_run

Modality const& ivim_modality() {
  static ivim_run::IvimModality const modality;
  return modality;
}

}  // namespace voxflow::pipeline
