// Where and how one subject's results are written (DESIGN.md §4): BIDS-derivative names
// (sub-<id>[_ses-<id>]_desc-<method>_<suffix>.nii.gz) under <out>/sub-<id>[/ses-<id>]/<datatype>/, the
// input's geometry, a JSON sidecar per map, dataset_description.json with GeneratedBy, every file written
// atomically.
#ifndef VOXFLOW_PIPELINE_SUBJECT_OUTPUTS_HPP
#define VOXFLOW_PIPELINE_SUBJECT_OUTPUTS_HPP

#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/modality.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace voxflow::pipeline {

// A stable 16-hex-digit hash (FNV-1a, 64 bit) of a text: configuration provenance in every sidecar.
std::string text_hash(std::string const& text);

// Writes <out_dir>/dataset_description.json unless a valid one is there (an empty or broken file left by a
// full disk is replaced), and adds to <out_dir>/.bidsignore a pattern for each of `files` (the outputs of a
// subject) that BIDS has no name for (bids_names.hpp: perfusion parameter maps, the HDF5 file, the QC
// image, the run's configuration and record), so that the validator checks every other file. Patterns of
// earlier runs are kept; the file is rewritten atomically under a lock, so that concurrent subjects of one
// output folder lose none.
void write_dataset_files(std::string const& out_dir, std::vector<std::string> const& files);

// Writes JSON atomically.
void write_json(std::string const& path, nlohmann::json const& doc);

class SubjectOutputs {
 public:
  // `method` is the BIDS desc label of the main maps ("extendedtofts").
  SubjectOutputs(std::string out_dir, std::string subject, std::string session, std::string const& datatype,
                 std::string method, bool compress);

  // The modality's datatype folder: <out>/sub-<id>[/ses-<id>]/<datatype>; folder("anat") another one.
  std::string const& folder() const { return folder_; }
  std::string folder(std::string const& datatype) const;
  std::string const& prefix() const { return prefix_; }  // "sub-01[_ses-x]"
  // "<folder(datatype)>/<prefix>_desc-<desc>_<suffix><extension>"; `desc` defaults to the method label,
  // `datatype` to the modality's.
  std::string path(std::string const& suffix, std::string const& extension, std::string const& desc = "",
                   std::string const& datatype = "") const;
  std::string map_path(MapSpec const& spec) const;
  std::string sidecar_path(MapSpec const& spec) const;
  // The lock file that keeps two runs from writing this subject's folder at once (hidden: BIDS tools skip
  // it).
  std::string lock_path() const;

  // One 3-D map (NIfTI, float32, or uint8 for status codes) plus its sidecar: `sidecar` is extended with
  // Units and the common provenance. `values` holds the whole volume in NIfTI order. A grid with a dimension
  // beyond NIfTI-1's 32767 is written as NIfTI-2.
  void write_map(MapSpec const& spec, io::NiftiGeometry const& geometry, std::array<int64_t, 3> dims,
                 std::vector<double> const& values, nlohmann::json sidecar) const;

  // gzip level of compressed maps (output.compression_level).
  int gzip_level = io::default_gzip_level;

  // Provenance merged into every sidecar (software, version, configuration hash, sources).
  nlohmann::json provenance;

 private:
  std::string subject_folder_, folder_, prefix_, method_;
  bool compress_;
};

}  // namespace voxflow::pipeline

#endif
