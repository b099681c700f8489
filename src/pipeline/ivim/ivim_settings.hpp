// The typed IVIM configuration of one subject (private to src/pipeline/ivim): every IVIM key of the schema
// read once, names parsed into enums once, paths absolute, a BIDS dataset resolved to its dwi series.
#ifndef VOXFLOW_SRC_PIPELINE_IVIM_IVIM_SETTINGS_HPP
#define VOXFLOW_SRC_PIPELINE_IVIM_IVIM_SETTINGS_HPP

#include <voxflow/ivim/fit_ivim.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <string>
#include <vector>

namespace voxflow::pipeline::ivim_run {

// Every field is read from the configuration: the defaults are the schema's (ivim_keys), not written here
// again.
struct IvimSettings {
  std::string config_file;  // named in errors
  struct Inputs {
    std::string dwi, bvals, bvecs, mask;  // empty when not given (bvals: a DICOM series carries its own)
  } inputs;
  ivim::IvimFitOptions fit;
};

// The IVIM keys of the schema, in document order (between the shared keys).
std::vector<KeySpec> ivim_keys();

// Reads the IVIM keys of `config`; ConfigError naming the key for an inconsistent value, InputError when a
// BIDS dataset lacks the subject's dwi series.
IvimSettings read_ivim_settings(RunConfig const& config);

}  // namespace voxflow::pipeline::ivim_run

#endif
