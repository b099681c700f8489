// What every harness checks: a reader given any bytes either returns or throws one of voxflow's errors (an
// InputError or ConfigError naming the file). Any other exception escapes to libFuzzer, which reports it as a
// crash with its reproducer, like a sanitizer finding.
#ifndef VOXFLOW_FUZZ_HARNESS_HPP
#define VOXFLOW_FUZZ_HARNESS_HPP

#include <voxflow/core/errors.hpp>

namespace voxflow::fuzz {

template <class F>
void accept_voxflow_errors(F&& read) {
  try {
    read();
  } catch (voxflow::Error const&) {
  }
}

}  // namespace voxflow::fuzz

#endif
