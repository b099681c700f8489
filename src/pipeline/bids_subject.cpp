#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/input_paths.hpp>
#include <voxflow/pipeline/bids_subject.hpp>

#include <filesystem>

namespace voxflow::pipeline {

namespace fs = std::filesystem;

BidsSubject find_bids_subject(std::string const& root, std::string const& subject,
                              std::string const& session) {
  fs::path folder = fs::path(root) / ("sub-" + subject);
  BidsSubject s{"", "sub-" + subject};
  if (!session.empty()) {
    folder /= "ses-" + session;
    s.prefix += "_ses-" + session;
  }
  s.folder = folder.string();
  require_input(io::is_input_directory(s.folder, "inputs.bids"), s.folder, "inputs.bids",
                "a BIDS subject folder for sub-" + subject + (session.empty() ? "" : " ses-" + session));
  return s;
}

std::vector<std::string> bids_files(BidsSubject const& subject, std::string const& datatype,
                                    std::vector<std::string> const& suffixes) {
  std::vector<std::string> found;
  for (auto const& entry :
       io::list_input_directory((fs::path(subject.folder) / datatype).string(), "inputs.bids")) {
    std::string const name = fs::path(entry).filename().string();
    if (name.rfind(subject.prefix, 0) != 0) continue;
    for (auto const& suffix : suffixes)
      if (io::ends_with(name, suffix)) found.push_back(entry);
  }
  return found;
}

namespace {

// Whether a file name carries the entity <key>-<label> (BIDS entities are separated by '_').
bool has_entity(std::string const& name, std::string const& key, std::string const& label) {
  return name.find("_" + key + "-" + label + "_") != std::string::npos;
}

}  // namespace

std::string find_bids_series(std::string const& root, RunSettings const& settings,
                             std::string const& datatype, std::string const& suffix) {
  auto const subject = find_bids_subject(root, settings.subject, settings.session);
  std::vector<std::string> series;
  for (auto const& file : bids_files(subject, datatype, {"_" + suffix + ".nii.gz", "_" + suffix + ".nii"})) {
    std::string const name = fs::path(file).filename().string();
    if (!settings.run.empty() && !has_entity(name, "run", settings.run)) continue;
    if (!settings.acquisition.empty() && !has_entity(name, "acq", settings.acquisition)) continue;
    series.push_back(file);
  }
  std::string const folder = (fs::path(subject.folder) / datatype).string();
  std::string wanted = subject.prefix + "*";
  if (!settings.acquisition.empty()) wanted += "_acq-" + settings.acquisition + "*";
  if (!settings.run.empty()) wanted += "_run-" + settings.run + "*";
  wanted += "_" + suffix + ".nii[.gz]";
  require_input(!series.empty(), folder, "inputs.bids", "a " + wanted + " series, found none");
  if (series.size() > 1) {
    std::string listing;
    for (auto const& file : series) listing += "\n  " + fs::path(file).filename().string();
    throw InputError(
        folder, "inputs.bids",
        "one " + wanted + " series, found " + std::to_string(series.size()) +
            " (choose one with the configuration keys run: <label> and acq: <label>):" + listing);
  }
  return series.front();
}

}  // namespace voxflow::pipeline
