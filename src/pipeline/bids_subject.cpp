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

}  // namespace voxflow::pipeline
