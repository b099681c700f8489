// The typed DCE configuration of one subject (private to src/pipeline/dce): every DCE key of the schema
// (dce_modality.cpp) read once, names parsed into enums once, paths absolute, BIDS-like datasets resolved.
#ifndef VOXFLOW_SRC_PIPELINE_DCE_DCE_SETTINGS_HPP
#define VOXFLOW_SRC_PIPELINE_DCE_DCE_SETTINGS_HPP

#include <voxflow/aif/population_aif.hpp>
#include <voxflow/core/enum_names.hpp>
#include <voxflow/dce/fit_dce.hpp>
#include <voxflow/io/dicom_series.hpp>
#include <voxflow/pipeline/masked_volume.hpp>
#include <voxflow/pipeline/run_config.hpp>
#include <voxflow/t1/t1_method.hpp>

#include <optional>
#include <string>
#include <vector>

namespace voxflow::pipeline::dce_run {

enum class AifSource { population, measured, detect };
inline constexpr EnumTable<AifSource, 3> aif_source_names{{{AifSource::population, "population"},
                                                           {AifSource::measured, "measured"},
                                                           {AifSource::detect, "detect"}}};

// Every field is read from the configuration: the defaults are the schema's (dce_keys), not written here
// again.
struct DceSettings {
  std::string config_file;  // named in errors
  struct Inputs {
    std::string concentration, signal, t1_map, b1_map, timing, mask;  // empty when not given
    std::vector<std::string> vfa;
    std::vector<double>
        frame_times_s;          // from a BIDS sidecar; otherwise timing or the DICOM series gives them
    io::DicomSelection series;  // which series of a DICOM folder is the dynamic input
    SeriesPrecision series_precision{};  // of a NIfTI dynamic input in memory
  } inputs;
  struct Acquisition {
    std::optional<double> flip_angle_deg, repetition_time_s, t1_assumed_s, vfa_repetition_time_s;
    double relaxivity{};
    int baseline_begin{}, baseline_end{};
    std::vector<double> vfa_flip_angles_deg;
  } acquisition;
  t1::T1Method t1_method{};
  struct Aif {
    AifSource source{};
    aif::PopulationAif model{};
    double delay_s{};
    double hematocrit{};
    std::string mask;
  } aif;
  dce::DceFitOptions fit;

  // The dynamic series the run starts from: the concentration or the signal input.
  std::string const& dynamic_input() const {
    return inputs.concentration.empty() ? inputs.signal : inputs.concentration;
  }
  bool signal_input() const { return !inputs.signal.empty(); }
};

// The DCE keys of the schema, in document order (between the shared keys).
std::vector<KeySpec> dce_keys();

// Reads the DCE keys of `config`; ConfigError naming the key for an inconsistent choice, InputError when a
// BIDS dataset lacks the subject's series.
DceSettings read_dce_settings(RunConfig const& config);

}  // namespace voxflow::pipeline::dce_run

#endif
