#include "bids_dce.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/input_paths.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/bids_subject.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace voxflow::pipeline::dce_run {

namespace fs = std::filesystem;

BidsDceInputs find_bids_dce(std::string const& root, RunSettings const& settings) {
  BidsDceInputs in;
  in.dce = find_bids_series(root, settings, "perf", "dce");
  auto const bids = find_bids_subject(root, settings.subject, settings.session);
  auto const t1 = bids_files(bids, "anat", {"_T1map.nii.gz", "_T1map.nii"});
  if (t1.size() == 1) in.t1_map = t1.front();

  std::string const sidecar = io::sidecar_of(in.dce);
  std::ifstream file(sidecar);
  if (!file) return in;
  in.sidecar = sidecar;
  nlohmann::json doc;
  try {
    file >> doc;
  } catch (nlohmann::json::exception const& e) {
    throw InputError(sidecar, "", std::string("a valid JSON sidecar (") + e.what() + ")");
  }
  auto number = [&](char const* key) -> std::optional<double> {
    if (!doc.contains(key)) return std::nullopt;
    if (!doc[key].is_number()) throw InputError(sidecar, key, "a number");
    return doc[key].get<double>();
  };
  in.flip_angle_deg = number("FlipAngle");
  in.repetition_time_s = number("RepetitionTimeExcitation");
  for (char const* key : {"VolumeTiming", "FrameTimesStart"}) {
    if (!doc.contains(key)) continue;
    if (!doc[key].is_array()) throw InputError(sidecar, key, "a list of frame times in seconds");
    for (auto const& v : doc[key]) {
      if (!v.is_number()) throw InputError(sidecar, key, "a list of frame times in seconds");
      in.frame_times_s.push_back(v.get<double>());
    }
    io::check_frame_times_s(in.frame_times_s, sidecar, key);
    break;
  }
  return in;
}

}  // namespace voxflow::pipeline::dce_run
