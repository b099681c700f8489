// The modalities this build runs (DESIGN.md §9): the command line (and, once it exists, the cohort layer)
// looks a modality up here by the name a configuration's `modality` key gives; nothing else names one.
#ifndef VOXFLOW_PIPELINE_MODALITY_REGISTRY_HPP
#define VOXFLOW_PIPELINE_MODALITY_REGISTRY_HPP

#include <voxflow/pipeline/modality.hpp>

#include <string>
#include <vector>

namespace voxflow::pipeline {

// Every registered modality, in registry order.
std::vector<Modality const*> const& modalities();

// The modality called `name`; ConfigError(source, "modality", the known names) when there is none.
Modality const& find_modality(std::string const& name, std::string const& source = "");

// "dce" or "dce, dsc or ivim": the names for messages and help texts.
std::string modality_choices();

}  // namespace voxflow::pipeline

#endif
