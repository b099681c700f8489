#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/modality_registry.hpp>

namespace voxflow::pipeline {

#define VOXFLOW_MODALITY(name) Modality const& name##_modality();
#include "modality_list.def"
#undef VOXFLOW_MODALITY

std::vector<Modality const*> const& modalities() {
  static std::vector<Modality const*> const all{
#define VOXFLOW_MODALITY(name) &name##_modality(),
#include "modality_list.def"
#undef VOXFLOW_MODALITY
  };
  return all;
}

Modality const& find_modality(std::string const& name, std::string const& source) {
  for (auto const* m : modalities())
    if (m->name() == name) return *m;
  throw ConfigError(source, "modality", "one of " + modality_choices() + ", found '" + name + "'");
}

std::string modality_choices() {
  std::string text;
  auto const& all = modalities();
  for (std::size_t i = 0; i < all.size(); ++i)
    text += (i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + all[i]->name();
  return text;
}

}  // namespace voxflow::pipeline
