// Typed, located access to a YAML run configuration: every error names the configuration file, the dotted key
// and what was expected, and keys outside the modality's schema are rejected with a did-you-mean suggestion.
#ifndef VOXFLOW_PIPELINE_CONFIG_READER_HPP
#define VOXFLOW_PIPELINE_CONFIG_READER_HPP

#include <optional>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace voxflow::pipeline {

class ConfigReader {
 public:
  // Parses `yaml_text` (read from `file`); ConfigError on a YAML syntax error, with its line.
  ConfigReader(std::string const& yaml_text, std::string const& file);
  static ConfigReader from_file(std::string const& path);
  ~ConfigReader();
  ConfigReader(ConfigReader&&) noexcept;

  std::string const& file() const { return file_; }
  // Folder of the configuration file: the base of relative paths.
  std::string const& base_dir() const { return base_dir_; }

  // Rejects keys that `schema` (a defaults document) does not have, recursively.
  void check_keys_against(ConfigReader const& schema) const;

  bool has(std::string const& dotted_key) const;  // present and not null
  bool is_list(std::string const& dotted_key) const;
  std::optional<std::string> text(std::string const& key) const;
  std::optional<double> number(std::string const& key) const;
  std::optional<long long> integer(std::string const& key) const;
  std::optional<bool> flag(std::string const& key) const;
  std::optional<std::vector<double>> numbers(std::string const& key) const;  // a sequence of numbers
  std::optional<std::vector<std::string>> texts(
      std::string const& key) const;  // a string or a sequence of strings
  // A path resolved against base_dir() (absolute paths stay).
  std::optional<std::string> path(std::string const& key) const;

  // The configuration with `overrides` merged over it, as YAML text (for the resolved copy saved with
  // outputs).
  std::string emit() const;
  // Sets a scalar value, creating parent maps (command-line overrides, resolved paths).
  void set(std::string const& dotted_key, std::string const& value);
  // Fills in every key of `defaults` that this configuration lacks.
  void merge_defaults(ConfigReader const& defaults);

 private:
  YAML::Node node(std::string const& dotted_key) const;
  [[noreturn]] void fail(std::string const& key, std::string const& expected) const;
  std::string file_, base_dir_;
  struct Impl;
  Impl* impl_;
};

}  // namespace voxflow::pipeline

#endif
