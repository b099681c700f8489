#include <voxflow/core/errors.hpp>

namespace voxflow {

namespace {
std::string located(std::string const& kind, std::string const& file, std::string const& field,
                    std::string const& expected) {
  // A message about no particular file (a command-line value, say) names none rather than a placeholder.
  std::string message = file.empty() ? kind : kind + ": " + file;
  if (!field.empty()) message += ": field '" + field + "'";
  return message + ": expected " + expected;
}
}  // namespace

ConfigError::ConfigError(std::string const& file, std::string const& field, std::string const& expected)
    : Error(ExitCode::config, located("configuration error", file, field, expected)) {}

InputError::InputError(std::string const& file, std::string const& field, std::string const& expected)
    : Error(ExitCode::input, located("input error", file, field, expected)) {}

OutputError::OutputError(std::string const& file, std::string const& what)
    : Error(ExitCode::output, "output error: " + file + ": " + what) {}

}  // namespace voxflow
