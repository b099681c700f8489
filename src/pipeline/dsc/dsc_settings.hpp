// The typed DSC configuration of one subject (private to src/pipeline/dsc): every DSC key of the schema
// (dsc_keys) read once, names parsed into enums once, paths absolute.
#ifndef VOXFLOW_SRC_PIPELINE_DSC_DSC_SETTINGS_HPP
#define VOXFLOW_SRC_PIPELINE_DSC_DSC_SETTINGS_HPP

#include <voxflow/core/enum_names.hpp>
#include <voxflow/dsc/deconvolution_operator.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <optional>
#include <string>
#include <vector>

namespace voxflow::pipeline::dsc_run {

enum class DscAifSource { measured, file, detect };
inline constexpr EnumTable<DscAifSource, 3> dsc_aif_source_names{
    {{DscAifSource::measured, "measured"}, {DscAifSource::file, "file"}, {DscAifSource::detect, "detect"}}};

// Recirculation removal: none, or each curve and the AIF replaced by a gamma variate fitted to its first
// pass.
enum class Recirculation { none, gamma_variate };
inline constexpr EnumTable<Recirculation, 2> recirculation_names{
    {{Recirculation::none, "none"}, {Recirculation::gamma_variate, "gamma_variate"}}};

struct DscSettings {
  std::string config_file;  // named in errors
  struct Inputs {
    std::string signal, timing, mask;  // mask empty: every voxel
  } inputs;
  struct Acquisition {
    std::optional<double> echo_time_s;  // checked with the inputs (a BIDS sidecar may give EchoTime)
    // [first, end) pre-bolus frames; nullopt: detected from the mean signal before the bolus arrives.
    std::optional<std::pair<int, int>> baseline;
  } acquisition;
  struct Aif {
    DscAifSource source{};
    std::string mask, file;
  } aif;
  dsc::DeconvolutionOptions deconvolution;
  double kh = 1.0, density_g_per_ml = 1.0;
  bool leakage_correction = false;
  Recirculation recirculation = Recirculation::none;
  double tail_fraction = 0.4;  // gamma_variate: where the first pass ends, relative to the peak
  // Reference region (e.g. normal-appearing white matter): rCBF and rCBV = CBF and CBV over their mean
  // there. Empty: no normalisation.
  std::string reference_mask;
};

// The DSC keys of the schema, in document order (between the shared keys).
std::vector<KeySpec> dsc_keys();

// Reads the DSC keys of `config`; ConfigError naming the key for an inconsistent choice.
DscSettings read_dsc_settings(RunConfig const& config);

}  // namespace voxflow::pipeline::dsc_run

#endif
