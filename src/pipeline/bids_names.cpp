#include <voxflow/pipeline/bids_names.hpp>

#include <filesystem>

namespace voxflow::pipeline {

namespace {

// "<suffix><extension>": what follows the last '_' of the file name.
std::string suffix_and_extension(std::string const& path) {
  std::string const name = std::filesystem::path(path).filename().string();
  return name.substr(name.rfind('_') + 1);
}

bool one_of(std::string const& s, std::initializer_list<char const*> values) {
  for (char const* v : values)
    if (s == v) return true;
  return false;
}

}  // namespace

bool has_bids_name(std::string const& path) {
  std::string const datatype = std::filesystem::path(path).parent_path().filename().string();
  std::string const tail = suffix_and_extension(path);
  if (datatype != "anat") return false;
  return one_of(tail, {"T1map.nii.gz", "T1map.nii", "T1map.json", "M0map.nii.gz", "M0map.nii", "M0map.json",
                       "dseg.nii.gz", "dseg.nii", "dseg.json", "dseg.tsv"});
}

std::string bidsignore_pattern(std::string const& path) {
  return "*_" + suffix_and_extension(path);
}

}  // namespace voxflow::pipeline
