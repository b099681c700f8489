// The BIDS aslcontext.tsv reader (pipeline/asl/asl_context.hpp) on arbitrary bytes, and the volume lists
// derived from it. Failures must be InputErrors.
#include "../src/pipeline/asl/asl_context.hpp"
#include "harness.hpp"
#include "input_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, std::size_t size) {
  std::string const path = voxflow::fuzz::write_input("sub-01_aslcontext.tsv", data, size);
  voxflow::fuzz::accept_voxflow_errors([&] {
    auto const types = voxflow::pipeline::asl_run::read_aslcontext(path);
    (void)voxflow::pipeline::asl_run::m0scan_volumes(types);
  });
  return 0;
}
