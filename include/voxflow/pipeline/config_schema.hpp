// The run-configuration schema of every modality, written once as a fully commented YAML document of
// defaults: it is what `voxflow dump-defaults MODALITY` prints, and the key tree `voxflow validate` checks
// configurations against (unknown keys are errors with a did-you-mean suggestion). A default of null marks a
// key without a default.
#ifndef VOXFLOW_PIPELINE_CONFIG_SCHEMA_HPP
#define VOXFLOW_PIPELINE_CONFIG_SCHEMA_HPP

#include <string>
#include <vector>

namespace voxflow::pipeline {

// Modalities with a schema ("dce" today; "dsc", "asl", "ivim" as they land).
std::vector<std::string> schema_modalities();

// The defaults document of a modality; throws ConfigError for an unknown modality.
std::string defaults_yaml(std::string const& modality);

// Closest candidate to `word` by edit distance, or "" when nothing is close enough to suggest.
std::string did_you_mean(std::string const& word, std::vector<std::string> const& candidates);

}  // namespace voxflow::pipeline

#endif
