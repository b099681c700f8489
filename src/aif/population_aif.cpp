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
  if (key == "parker") return PopulationAif::parker;
  if (key == "weinmann") return PopulationAif::weinmann;
  if (key == "fritz_hansen" || key == "fritz-hansen") return PopulationAif::fritz_hansen;
  if (key == "georgiou") return PopulationAif::georgiou;
  if (key == "mcgrath") return PopulationAif::mcgrath;
  if (key == "preclinical") return PopulationAif::preclinical;
  throw InputError(source, field, std::string("one of ") + population_aif_choices + " (got '" + name + "')");
}

std::string population_aif_name(PopulationAif kind) {
  switch (kind) {
    case PopulationAif::parker:
      return "parker";
    case PopulationAif::weinmann:
      return "weinmann";
    case PopulationAif::fritz_hansen:
      return "fritz_hansen";
    case PopulationAif::georgiou:
      return "georgiou";
    case PopulationAif::mcgrath:
      return "mcgrath";
    case PopulationAif::preclinical:
      return "preclinical";
  }
  return "unknown";
}

}  // namespace voxflow::aif
