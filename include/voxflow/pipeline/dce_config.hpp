// A DCE run configuration, read from YAML (config_schema.cpp lists every key), resolved and checked: paths
// are absolute, names are parsed into enums, and every inconsistency is a ConfigError naming the file and
// key.
#ifndef VOXFLOW_PIPELINE_DCE_CONFIG_HPP
#define VOXFLOW_PIPELINE_DCE_CONFIG_HPP

#include <voxflow/core/backend.hpp>
#include <voxflow/dce/fit_dce.hpp>

#include <optional>
#include <string>
#include <vector>

namespace voxflow::pipeline {

enum class AifSource { population, measured, detect };

struct DceRunConfig {
  std::string config_file;
  std::string subject;  // without "sub-"
  std::string session;  // without "ses-"; empty when none
  struct Inputs {
    std::string concentration, signal, t1_map, b1_map, timing, mask;
    std::vector<std::string> vfa;
    std::vector<double>
        frame_times_s;  // from a BIDS sidecar; otherwise timing or the DICOM series gives them
  } inputs;
  struct Acquisition {
    std::optional<double> flip_angle_deg, repetition_time_s, t1_assumed_s, vfa_repetition_time_s;
    double relaxivity = 4.5;
    int baseline_begin = 0, baseline_end = 5;
    std::vector<double> vfa_flip_angles_deg;
  } acquisition;
  std::string t1_method = "nonlinear";
  struct Aif {
    AifSource source = AifSource::population;
    std::string model = "parker";
    double delay_s = 0.0;
    double hematocrit = 0.42;
    std::string mask;
  } aif;
  dce::DceFitOptions fit;
  Backend backend = Backend::automatic;
  int threads = 0;
  struct Output {
    std::string dir;
    bool compress = true, hdf5 = true, qc = true, overwrite = false;
  } output;
  std::string resolved_yaml;  // the configuration with defaults filled in and paths made absolute
};

// Command-line values that replace configuration keys.
struct Overrides {
  std::optional<std::string> backend, output_dir;
  std::optional<int> threads;
  bool overwrite = false;
};

// Reads, validates and resolves a DCE run configuration. Does not touch the input files.
DceRunConfig load_dce_config(std::string const& path, Overrides const& overrides = {});

// The modality a configuration file declares (its `modality` key); ConfigError when missing or unknown.
std::string config_modality(std::string const& path);

}  // namespace voxflow::pipeline

#endif
