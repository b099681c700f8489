// Where the tests find the OSIPI reference cases: $VOXFLOW_REFERENCE_DIR, else ../shared/reference beside the
// checkout (compiled in). Never a copy inside the repository.
#ifndef VOXFLOW_TESTS_REFERENCE_DATA_HPP
#define VOXFLOW_TESTS_REFERENCE_DATA_HPP

#include <cstdlib>
#include <string>

namespace voxflow::testing {

inline std::string reference_dir() {
  if (char const* env = std::getenv("VOXFLOW_REFERENCE_DIR"); env != nullptr && *env != '\0') return env;
  return VOXFLOW_REFERENCE_DIR_DEFAULT;
}

inline std::string reference_file(std::string const& relative) {
  return reference_dir() + "/" + relative;
}

}  // namespace voxflow::testing

#endif
