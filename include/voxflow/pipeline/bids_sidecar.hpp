// A BIDS JSON sidecar: the metadata of a data file, each field checked for its type, with InputError naming
// the file that gave the field and the field. `for_data_file` applies the BIDS inheritance principle, so that
// metadata shared by a dataset, a subject or a session can be written once above the data files.
#ifndef VOXFLOW_PIPELINE_BIDS_SIDECAR_HPP
#define VOXFLOW_PIPELINE_BIDS_SIDECAR_HPP

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace voxflow::pipeline {

class BidsSidecar {
 public:
  BidsSidecar() = default;
  // One JSON file; an empty path or a file that does not exist gives an empty sidecar.
  static BidsSidecar read(std::string const& path);
  // The metadata of `data_file` (<stem>.nii[.gz]) by the inheritance principle: in every folder from the
  // dataset root (the nearest folder above with a dataset_description.json) down to the data file's, the
  // [<entities>_]<suffix>.json files whose entities are all among the data file's, fewer entities first; a
  // nearer or more specific file wins for each field. Outside a BIDS dataset: <stem>.json alone.
  static BidsSidecar for_data_file(std::string const& data_file);

  std::string const& path() const { return path_; }         // the most specific file read ("" when none)
  std::string const& source(std::string const& key) const;  // the file `key` came from (path() when absent)
  bool empty() const { return path_.empty(); }
  bool contains(std::string const& key) const { return doc_.contains(key); }
  std::optional<double> number(char const* key) const;
  std::optional<std::string> text(char const* key) const;
  std::optional<bool> flag(char const* key) const;
  // A number or a list of numbers (PostLabelingDelay, VolumeTiming).
  std::optional<std::vector<double>> numbers(char const* key) const;

 private:
  void merge(std::string const& path);

  std::string path_;
  nlohmann::json doc_ = nlohmann::json::object();
  std::map<std::string, std::string> sources_;
};

}  // namespace voxflow::pipeline

#endif
