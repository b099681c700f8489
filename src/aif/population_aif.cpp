#include <voxflow/aif/population_aif.hpp>
#include <voxflow/core/errors.hpp>

#include <algorithm>
#include <cctype>

namespace voxflow::aif {

PopulationAif parse_population_aif(std::string const& name, std::string const& source,
                                   std::string const& field) {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (auto const kind = parse_enum(population_aif_names, key)) return *kind;
  throw InputError(source, field, "one of " + enum_choices(population_aif_names) + " (got '" + name + "')");
}

std::string population_aif_name(PopulationAif kind) {
  return enum_name(population_aif_names, kind);
}

}  // namespace voxflow::aif
