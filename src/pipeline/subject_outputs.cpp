#include <voxflow/core/errors.hpp>
#include <voxflow/core/version.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/pipeline/subject_outputs.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace voxflow::pipeline {

namespace fs = std::filesystem;

std::string text_hash(std::string const& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(h));
  return buffer;
}

void write_json(std::string const& path, nlohmann::json const& doc) {
  io::write_text_atomically(path, doc.dump(2) + "\n");
}

void write_dataset_description(std::string const& out_dir) {
  std::string const ignore = out_dir + "/.bidsignore";
  if (!fs::exists(ignore)) {
    std::string patterns;
    for (char const* ext : {"nii.gz", "nii", "json", "tsv", "yaml", "h5", "png"})
      patterns += std::string("*_desc-*_*.") + ext + "\n";
    io::write_text_atomically(ignore, patterns);
  }
  std::string const path = out_dir + "/dataset_description.json";
  if (fs::exists(path)) return;
  nlohmann::json doc = {
      {"Name", "voxflow perfusion maps"},
      {"BIDSVersion", "1.9.0"},
      {"DatasetType", "derivative"},
      {"GeneratedBy",
       nlohmann::json::array(
           {{{"Name", "voxflow"},
             {"Version", VOXFLOW_VERSION_STRING},
             {"Description", "Quantitative perfusion MRI maps (DCE, DSC, ASL, IVIM, T1) on Kokkos"},
             {"CodeCommit", VOXFLOW_GIT_COMMIT}}})}};
  write_json(path, doc);
}

SubjectOutputs::SubjectOutputs(std::string out_dir, std::string subject, std::string session,
                               std::string desc, bool compress)
    : compress_(compress) {
  fs::path folder = fs::path(out_dir) / ("sub-" + subject);
  prefix_ = "sub-" + subject;
  if (!session.empty()) {
    folder /= "ses-" + session;
    prefix_ += "_ses-" + session;
  }
  folder_ = (folder / "perf").string();
  desc_ = desc;
}

std::string SubjectOutputs::path(std::string const& suffix, std::string const& extension,
                                 std::string const& desc_extra) const {
  return folder_ + "/" + prefix_ + "_desc-" + desc_ + desc_extra + "_" + suffix + extension;
}

void SubjectOutputs::create_folder() const {
  std::error_code ec;
  fs::create_directories(folder_, ec);
  if (ec) throw OutputError(folder_, "cannot create the output folder: " + ec.message());
}

void SubjectOutputs::write_map(std::string const& suffix, io::NiftiGeometry const& geometry,
                               std::array<int64_t, 3> dims, std::vector<double> const& values,
                               std::string const& units, nlohmann::json sidecar, bool status_codes,
                               std::string const& desc_extra) const {
  io::NiftiGeometry g = geometry;
  g.pixdim[4] = 0.0;  // a 3-D map has no time step
  g.time_step_s = 0.0;
  io::NiftiWriteOptions options;
  if (status_codes) options.datatype = io::NiftiDatatype::uint8;
  std::string const image = map_path(suffix, desc_extra);
  io::write_nifti(image, g, dims, values, options);
  sidecar["Units"] = units;
  sidecar["SkullStripped"] = false;  // required for image derivatives; voxflow fits what the mask selects
  for (auto const& [key, value] : provenance.items()) sidecar[key] = value;
  write_json(path(suffix, ".json", desc_extra), sidecar);
}

}  // namespace voxflow::pipeline
