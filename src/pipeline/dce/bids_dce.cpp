#include "bids_dce.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/input_paths.hpp>
#include <voxflow/io/timing_file.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace voxflow::pipeline::dce_run {

namespace fs = std::filesystem;

namespace {

// Files in `folder` whose names start with `prefix` and end with one of `suffixes`, sorted.
std::vector<std::string> matching(fs::path const& folder, std::string const& prefix,
                                  std::vector<std::string> const& suffixes) {
  std::vector<std::string> found;
  for (auto const& entry : io::list_input_directory(folder.string(), "inputs.bids")) {
    std::string const name = fs::path(entry).filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    for (auto const& suffix : suffixes)
      if (io::ends_with(name, suffix)) found.push_back(entry);
  }
  return found;
}

std::string sidecar_of(std::string const& image) {
  std::string stem = image;
  for (char const* ext : {".nii.gz", ".nii"})
    if (io::ends_with(stem, ext)) {
      stem.resize(stem.size() - std::string(ext).size());
      break;
    }
  return stem + ".json";
}

}  // namespace

BidsDceInputs find_bids_dce(std::string const& root, std::string const& subject, std::string const& session) {
  fs::path folder = fs::path(root) / ("sub-" + subject);
  std::string prefix = "sub-" + subject;
  if (!session.empty()) {
    folder /= "ses-" + session;
    prefix += "_ses-" + session;
  }
  require_input(io::is_input_directory(folder.string(), "inputs.bids"), folder.string(), "inputs.bids",
                "a BIDS subject folder for sub-" + subject + (session.empty() ? "" : " ses-" + session));
  auto const series = matching(folder / "perf", prefix, {"_dce.nii.gz", "_dce.nii"});
  require_input(series.size() == 1, (folder / "perf").string(), "inputs.bids",
                "exactly one " + prefix + "*_dce.nii[.gz] series, found " + std::to_string(series.size()));
  BidsDceInputs in;
  in.dce = series.front();
  auto const t1 = matching(folder / "anat", prefix, {"_T1map.nii.gz", "_T1map.nii"});
  if (t1.size() == 1) in.t1_map = t1.front();

  std::string const sidecar = sidecar_of(in.dce);
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
