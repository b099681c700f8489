#include "bids_asl.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/input_paths.hpp>

#include <filesystem>
#include <vector>

namespace voxflow::pipeline::asl_run {

namespace fs = std::filesystem;

std::string find_bids_asl(std::string const& root, std::string const& subject, std::string const& session) {
  fs::path folder = fs::path(root) / ("sub-" + subject);
  std::string prefix = "sub-" + subject;
  if (!session.empty()) {
    folder /= "ses-" + session;
    prefix += "_ses-" + session;
  }
  require_input(io::is_input_directory(folder.string(), "inputs.bids"), folder.string(), "inputs.bids",
                "a BIDS subject folder for sub-" + subject + (session.empty() ? "" : " ses-" + session));
  fs::path const perf = folder / "perf";
  std::vector<std::string> series;
  for (auto const& entry : io::list_input_directory(perf.string(), "inputs.bids")) {
    std::string const name = fs::path(entry).filename().string();
    bool const named = name.rfind(prefix + "_", 0) == 0;
    if (named && (io::ends_with(name, "_asl.nii.gz") || io::ends_with(name, "_asl.nii")))
      series.push_back(entry);
  }
  require_input(series.size() == 1, perf.string(), "inputs.bids",
                "exactly one " + prefix + "*_asl.nii[.gz] series, found " + std::to_string(series.size()));
  return series.front();
}

}  // namespace voxflow::pipeline::asl_run
