// The run-configuration schema: every key a modality understands, declared once with its type, its default
// and a comment. Everything about keys follows from these declarations: the commented defaults document that
// `voxflow dump-defaults MODALITY` prints, the key tree a configuration is checked against (unknown keys are
// errors with a did-you-mean suggestion), the type every value is checked for, and which values are paths and
// so resolved against the configuration file's folder. The keys every modality shares (subject, session,
// backend, threads, output) are declared once here; a modality adds its own between them.
#ifndef VOXFLOW_PIPELINE_CONFIG_SCHEMA_HPP
#define VOXFLOW_PIPELINE_CONFIG_SCHEMA_HPP

#include <voxflow/core/enum_names.hpp>

#include <limits>
#include <string>
#include <vector>

namespace voxflow::pipeline {

enum class KeyType {
  text,             // one scalar, read as written
  path,             // a file or folder, resolved against the configuration file's folder
  paths,            // one path or a list of paths
  number,           // a finite number
  integer,          // a whole number inside [min, max]
  flag,             // true or false
  numbers,          // a list of finite numbers
  numbers_or_path,  // a list of finite numbers, or a path to a text file of them
  choice,           // one of `choices`
};

struct KeySpec {
  std::string key;  // dotted: "fit.max_iterations"
  KeyType type = KeyType::text;
  std::string default_yaml;          // the default as YAML ("null" when there is none)
  std::string comment;               // what the key means and its unit; several lines separated by '\n'
  std::vector<std::string> choices;  // KeyType::choice: the accepted names, aliases included
  std::string choice_list;           // KeyType::choice: "a, b or c", for messages
  double min = -std::numeric_limits<double>::infinity();  // number and integer: inclusive range
  double max = std::numeric_limits<double>::infinity();
  bool single_number = false;  // KeyType::numbers_or_path: a lone number is read as a list of one
  // How a cohort distributes the work (split), not what is computed: left out of the resolved
  // configuration, so that the outputs and their configuration hash do not depend on it.
  bool scheduling = false;
};

// Builders that keep declarations short. `default_yaml` is YAML text: "null", "4.5", "[0, 5]", "out".
KeySpec text_key(std::string key, std::string default_yaml, std::string comment);
KeySpec path_key(std::string key, std::string comment, std::string default_yaml = "null");
KeySpec paths_key(std::string key, std::string comment);
KeySpec number_key(std::string key, std::string default_yaml, std::string comment,
                   double min = -std::numeric_limits<double>::infinity(),
                   double max = std::numeric_limits<double>::infinity());
KeySpec integer_key(std::string key, std::string default_yaml, std::string comment, double min, double max);
KeySpec flag_key(std::string key, bool default_value, std::string comment);
KeySpec numbers_key(std::string key, std::string default_yaml, std::string comment);
// `single_number`: a lone number (`1.8`) is also accepted, as a list of one.
KeySpec numbers_or_path_key(std::string key, std::string comment, bool single_number = false);
// The comment starts with the choices ("a | b | c"); `comment`, when given, follows in parentheses.
template <class Enum, std::size_t N>
KeySpec choice_key(std::string key, EnumTable<Enum, N> const& table, Enum default_value,
                   std::string const& comment = "") {
  KeySpec spec;
  spec.key = std::move(key);
  spec.type = KeyType::choice;
  spec.default_yaml = enum_name(table, default_value);
  for (auto const& entry : table) spec.choices.emplace_back(entry.name);
  std::string bar;
  for (auto const& name : enum_names(table)) bar += (bar.empty() ? "" : " | ") + name;
  spec.comment = comment.empty() ? bar : bar + " (" + comment + ")";
  spec.choice_list = enum_choices(table);
  return spec;
}

class ConfigSchema {
 public:
  // `keys` in document order; the keys of one section must be consecutive.
  ConfigSchema(std::string modality, std::string title, std::vector<KeySpec> keys);

  std::string const& modality() const { return modality_; }
  std::vector<KeySpec> const& keys() const { return keys_; }
  KeySpec const* find(std::string const& dotted_key) const;  // nullptr when not a key
  bool is_section(std::string const& dotted_key) const;      // a proper prefix of some key
  // The names directly under a section ("" = top level), for did-you-mean suggestions.
  std::vector<std::string> children(std::string const& section) const;

  // The commented YAML document of every key with its default (what dump-defaults prints).
  std::string document() const;

 private:
  std::string modality_, title_;
  std::vector<KeySpec> keys_;
};

// The schema of a modality: the shared keys around the modality's own `keys`.
ConfigSchema modality_schema(std::string const& modality, std::string const& title,
                             std::vector<KeySpec> keys);

// Closest candidate to `word` by edit distance, or "" when nothing is close enough to suggest.
std::string did_you_mean(std::string const& word, std::vector<std::string> const& candidates);

}  // namespace voxflow::pipeline

#endif
