// The typed ASL configuration of one subject (private to src/pipeline/asl): every ASL key of the schema read
// once, with the BIDS sidecars of the ASL series and the M0 scan filling what the configuration leaves out.
// A parameter given in both places is taken from the configuration (the sidecar's value is recorded in the
// provenance of every map): the configuration is what the user wrote for this run.
#ifndef VOXFLOW_SRC_PIPELINE_ASL_ASL_SETTINGS_HPP
#define VOXFLOW_SRC_PIPELINE_ASL_ASL_SETTINGS_HPP

#include <voxflow/asl/quantify_asl.hpp>
#include <voxflow/core/enum_names.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace voxflow::pipeline::asl_run {

// How the M0 of a voxel is obtained from the M0 image (or calibration.m0_value).
enum class M0Method { voxelwise, single, reference_region };
inline constexpr EnumTable<M0Method, 3> m0_method_names{{{M0Method::voxelwise, "voxelwise"},
                                                         {M0Method::single, "single"},
                                                         {M0Method::reference_region, "reference_region"}}};

// Every field is read from the configuration (defaults are the schema's, asl_keys) or a sidecar.
struct AslSettings {
  std::string config_file;  // named in errors
  struct Inputs {
    std::string asl, aslcontext, sidecar, m0scan, m0_sidecar, mask, reference_mask;  // empty when absent
  } inputs;
  asl::AslConstants constants;  // labeling, T1b, α, λ, τ, TI1, background suppression, M0 scale
  // One delay per volume (or one for all), s, and where they came from (named in errors).
  std::vector<double> pld_s;
  std::string pld_source, pld_field;
  M0Method m0_method{};
  std::optional<double> m0_value;  // calibration.m0_value: wins over every M0 image
  std::optional<double>
      m0_estimate;  // the sidecar's M0Estimate (M0Type Estimate): used when there is no M0 image
  bool m0_tr_correction{}, background_suppression{};
  std::optional<double> m0_repetition_time_s;
  double t1_tissue_s{};
  asl::AslMethod method{};
  double cbf_bounds[2]{}, att_bounds_s[2]{};
  fit::LMOptions lm;
  nlohmann::json sources;  // where each acquisition parameter came from: configuration or sidecar
};

// The ASL keys of the schema, in document order (between the shared keys).
std::vector<KeySpec> asl_keys();

// Reads the ASL keys of `config` and the sidecars; ConfigError naming the key for a missing or inconsistent
// parameter, InputError for a bad sidecar or delay file.
AslSettings read_asl_settings(RunConfig const& config);

}  // namespace voxflow::pipeline::asl_run

#endif
