// The text readers of timing files, b-values (.bval), flip-angle and delay lists (io/timing_file.hpp) on
// arbitrary bytes: read as a number list and as frame times. Failures must be InputErrors.
#include "harness.hpp"
#include "input_file.hpp"

#include <voxflow/io/timing_file.hpp>

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, std::size_t size) {
  using voxflow::fuzz::accept_voxflow_errors;
  std::string const path = voxflow::fuzz::write_input("input.bval", data, size);
  accept_voxflow_errors([&] { (void)voxflow::io::read_number_list(path, "b-values"); });
  accept_voxflow_errors([&] { (void)voxflow::io::read_frame_times(path); });
  return 0;
}
