#include "bids_dce.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/input_paths.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/bids_sidecar.hpp>
#include <voxflow/pipeline/bids_subject.hpp>

#include <filesystem>

namespace voxflow::pipeline::dce_run {

namespace fs = std::filesystem;

BidsDceInputs find_bids_dce(std::string const& root, RunSettings const& settings) {
  BidsDceInputs in;
  in.dce = find_bids_series(root, settings, "perf", "dce");
  auto const bids = find_bids_subject(root, settings.subject, settings.session);
  auto const t1 = bids_files(bids, "anat", {"_T1map.nii.gz", "_T1map.nii"});
  if (t1.size() == 1) in.t1_map = t1.front();

  // The series' metadata by BIDS inheritance (dataset-, subject- and session-level sidecars included).
  BidsSidecar const sidecar = BidsSidecar::for_data_file(in.dce);
  if (sidecar.empty()) return in;
  in.sidecar = sidecar.path();
  in.flip_angle_deg = sidecar.number("FlipAngle");
  in.repetition_time_s = sidecar.number("RepetitionTimeExcitation");
  for (char const* key : {"VolumeTiming", "FrameTimesStart"}) {
    auto const times = sidecar.numbers(key);
    if (!times) continue;
    in.frame_times_s = *times;
    io::check_frame_times_s(in.frame_times_s, sidecar.source(key), key);
    break;
  }
  return in;
}

}  // namespace voxflow::pipeline::dce_run
