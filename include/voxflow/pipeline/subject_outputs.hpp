// Where and how one subject's results are written (DESIGN.md §4): BIDS-derivative names
// (sub-<id>[_ses-<id>]_desc-<method>_<param>.nii.gz) under <out>/sub-<id>[/ses-<id>]/perf/, the input's
// geometry, a JSON sidecar per map, dataset_description.json with GeneratedBy, every file written atomically.
#ifndef VOXFLOW_PIPELINE_SUBJECT_OUTPUTS_HPP
#define VOXFLOW_PIPELINE_SUBJECT_OUTPUTS_HPP

#include <voxflow/io/nifti_image.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace voxflow::pipeline {

// A stable 16-hex-digit hash (FNV-1a, 64 bit) of a text: configuration provenance in every sidecar.
std::string text_hash(std::string const& text);

// Writes <out_dir>/dataset_description.json and .bidsignore (created once; existing ones are left alone).
// BIDS has no suffixes for perfusion parameter maps yet, so the validator is told to skip voxflow's
// (ECOSYSTEM.md C.4).
void write_dataset_description(std::string const& out_dir);

// Writes JSON atomically.
void write_json(std::string const& path, nlohmann::json const& doc);

class SubjectOutputs {
 public:
  SubjectOutputs(std::string out_dir, std::string subject, std::string session, std::string desc,
                 bool compress);

  std::string const& folder() const { return folder_; }
  // "<folder>/sub-01[_ses-x]_desc-<desc><desc_extra>_<suffix><extension>"; desc_extra qualifies the method
  // label, e.g. "fitstatus" for the status segmentation (desc-extendedtoftsfitstatus_dseg).
  std::string path(std::string const& suffix, std::string const& extension,
                   std::string const& desc_extra = "") const;
  std::string map_path(std::string const& suffix, std::string const& desc_extra = "") const {
    return path(suffix, compress_ ? ".nii.gz" : ".nii", desc_extra);
  }
  void create_folder() const;

  // One 3-D map (NIfTI, float32, or uint8 when `status_codes` is true) plus its sidecar: `sidecar` is
  // extended with Units and the common provenance.
  void write_map(std::string const& suffix, io::NiftiGeometry const& geometry, std::array<int64_t, 3> dims,
                 std::vector<double> const& values, std::string const& units, nlohmann::json sidecar,
                 bool status_codes = false, std::string const& desc_extra = "") const;

  // Provenance merged into every sidecar (software, version, configuration hash, sources).
  nlohmann::json provenance;

 private:
  std::string folder_, prefix_, desc_;
  bool compress_;
};

}  // namespace voxflow::pipeline

#endif
