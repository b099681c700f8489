// User-facing error types (DESIGN.md §6). Each class maps to a distinct process exit code, so a batch system
// can tell a bad configuration from a bad input file from an internal failure without parsing messages.
#ifndef VOXFLOW_CORE_ERRORS_HPP
#define VOXFLOW_CORE_ERRORS_HPP

#include <stdexcept>
#include <string>

namespace voxflow {

// Process exit codes of every voxflow executable.
enum class ExitCode : int {
  success = 0,
  failure = 1,    // an unexpected internal error
  usage = 2,      // bad command line
  config = 3,     // the configuration file is invalid
  input = 4,      // an input file is missing, unreadable or inconsistent
  output = 5,     // an output could not be written
  backend = 6,    // the requested backend is not available in this build or on this machine
  partial = 7,    // the run finished, but some subjects failed
  no_result = 8,  // the run finished, but gave no usable result (e.g. no voxel with a usable fit)
};

// Base of every voxflow error: carries the exit code the CLI returns for it.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string const& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

// A problem with a configuration file: names the file, the key and what was expected.
class ConfigError : public Error {
 public:
  ConfigError(std::string const& file, std::string const& field, std::string const& expected);
};

// A problem with an input file: names the file, the field and what was expected.
class InputError : public Error {
 public:
  InputError(std::string const& file, std::string const& field, std::string const& expected);
};

// An output that could not be written.
class OutputError : public Error {
 public:
  OutputError(std::string const& file, std::string const& what);
};

// A backend that was asked for but is not available.
class BackendError : public Error {
 public:
  explicit BackendError(std::string const& what) : Error(ExitCode::backend, what) {}
};

// Throws InputError unless `condition` holds: "true means fine", the opposite of kokkos-fft's THROW_IF.
inline void require_input(bool condition, std::string const& file, std::string const& field,
                          std::string const& expected) {
  if (!condition) throw InputError(file, field, expected);
}

}  // namespace voxflow

#endif
