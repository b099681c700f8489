// How many values a YAML document holds once its aliases are expanded. yaml-cpp shares an aliased node rather
// than copying it, but every walk over the loaded tree visits it once per alias, so a few hundred bytes of
// nested aliases ("billion laughs") make a walk take exponential time. Counting on the parser's events costs
// one pass over the text, whatever the aliases expand to. An alias inside the node it names makes the loaded
// tree a cycle, on which a walk never ends (a stack overflow).
#ifndef VOXFLOW_PIPELINE_YAML_EXPANSION_HPP
#define VOXFLOW_PIPELINE_YAML_EXPANSION_HPP

#include <cstddef>
#include <string>

namespace voxflow::pipeline {

struct YamlExpansion {
  // Nodes (scalars, nulls, sequences and mappings, keys included) with every alias expanded; limit + 1 where
  // there are more.
  std::size_t nodes = 0;
  // An alias to a node that is still open (its own ancestor).
  bool cyclic = false;
};

// The expansion of the first document of `text`. Throws YAML::Exception where the text is not valid YAML, as
// YAML::Load would.
YamlExpansion expanded_yaml_nodes(std::string const& text, std::size_t limit);

}  // namespace voxflow::pipeline

#endif
