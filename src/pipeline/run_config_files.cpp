// Run configurations read from files: the text (bounded in size, the system's reason when unreadable), with
// the modality registry giving each document's schema. Kept apart from run_config.cpp so that the parser
// links without any modality (the fuzz harnesses, fuzz/).
#include <voxflow/pipeline/modality_registry.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace voxflow::pipeline {

namespace {

namespace fs = std::filesystem;

std::string read_text(std::string const& path) {
  std::error_code ec;
  auto const size = fs::file_size(path, ec);
  if (ec) throw ConfigError(path, "", "a readable configuration file (" + ec.message() + ")");
  if (size > max_config_bytes)
    throw ConfigError(path, "",
                      "a configuration file of at most " + max_config_size_text() + ", found " +
                          std::to_string(size) + " bytes");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError(path, "", std::string("a readable configuration file (") + std::strerror(errno) + ")");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ConfigSchema const& registered_schema(std::string const& modality, std::string const& source) {
  return find_modality(modality, source).schema();
}

}  // namespace

RunConfig read_run_config(std::string const& path, Overrides const& overrides) {
  return parse_run_config(read_text(path), path, overrides, registered_schema);
}

CohortConfig read_cohort_config(std::string const& path, Overrides const& overrides) {
  return parse_cohort_config(read_text(path), path, overrides, registered_schema);
}

}  // namespace voxflow::pipeline
