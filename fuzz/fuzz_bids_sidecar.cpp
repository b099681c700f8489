// The BIDS JSON sidecar reader (pipeline/bids_sidecar.hpp) on arbitrary bytes: parsed, then the fields
// voxflow reads taken as numbers, texts, flags and lists. Failures must be InputErrors.
#include "harness.hpp"
#include "input_file.hpp"

#include <voxflow/pipeline/bids_sidecar.hpp>

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, std::size_t size) {
  using voxflow::fuzz::accept_voxflow_errors;
  std::string const path = voxflow::fuzz::write_input("sub-01_asl.json", data, size);
  accept_voxflow_errors([&] {
    auto const sidecar = voxflow::pipeline::BidsSidecar::read(path);
    for (char const* key : {"RepetitionTimePreparation", "FlipAngle", "PostLabelingDelay", "VolumeTiming",
                            "ArterialSpinLabelingType", "BackgroundSuppression", "M0Type"}) {
      (void)sidecar.source(key);
      accept_voxflow_errors([&] { (void)sidecar.number(key); });
      accept_voxflow_errors([&] { (void)sidecar.text(key); });
      accept_voxflow_errors([&] { (void)sidecar.flag(key); });
      accept_voxflow_errors([&] { (void)sidecar.numbers(key); });
    }
  });
  return 0;
}
