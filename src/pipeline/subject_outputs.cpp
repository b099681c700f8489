#include <voxflow/core/errors.hpp>
#include <voxflow/core/version.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/output_lock.hpp>
#include <voxflow/pipeline/bids_names.hpp>
#include <voxflow/pipeline/subject_outputs.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

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

namespace {

// A dataset-level file another run (or an earlier one) wrote completely: present and not empty. JSON must
// also parse, so a file cut short by a full disk is written again.
bool complete_text_file(std::string const& path, bool json) {
  std::error_code ec;
  if (fs::file_size(path, ec) == 0 || ec) return false;
  if (!json) return true;
  std::ifstream in(path);
  return nlohmann::json::accept(in);
}

// The lines of a text file (none when it is missing).
std::set<std::string> lines_of(std::string const& path) {
  std::set<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.insert(line);
  return lines;
}

// Another subject of the same output folder may be adding its patterns: wait for its lock (a few seconds at
// most; writing a few lines takes milliseconds).
io::OutputLock dataset_lock(std::string const& out_dir) {
  std::string const path = out_dir + "/.bidsignore.lock";
  for (int attempt = 0;; ++attempt) {
    try {
      return io::OutputLock(path);
    } catch (OutputError const&) {
      if (attempt == 200) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
}

// A folder of the output tree that is a symbolic link would take the outputs out of the output folder, into
// wherever it points: refused. (The configured output folder itself may be a link: the user named it.)
void refuse_link(fs::path const& folder) {
  std::error_code ec;
  if (fs::is_symlink(folder, ec))
    throw OutputError(folder.string(),
                      "is a symbolic link inside the output folder; voxflow does not follow links out of it "
                      "(remove the link, or name the folder it points to as the output folder)");
}

}  // namespace

void write_dataset_files(std::string const& out_dir, std::vector<std::string> const& files) {
  {
    io::OutputLock const lock = dataset_lock(out_dir);
    std::string const ignore = out_dir + "/.bidsignore";
    std::set<std::string> patterns = lines_of(ignore);
    std::size_t const before = patterns.size();
    // Versions before 0.2 hid every file with a desc entity ("*_desc-*_*.nii.gz"): the validator then checked
    // nothing.
    for (auto it = patterns.begin(); it != patterns.end();)
      it = it->rfind("*_desc-*_*.", 0) == 0 ? patterns.erase(it) : std::next(it);
    bool changed = patterns.size() != before;
    for (auto const& file : files)
      if (!has_bids_name(file)) changed |= patterns.insert(bidsignore_pattern(file)).second;
    if (changed || !complete_text_file(ignore, false)) {
      std::string text;
      for (auto const& p : patterns) text += p + "\n";
      io::write_text_atomically(ignore, text);
    }
  }
  std::string const path = out_dir + "/dataset_description.json";
  if (complete_text_file(path, true)) return;
  nlohmann::json doc = {
      {"Name", "voxflow perfusion maps"},
      {"BIDSVersion", "1.9.0"},
      {"DatasetType", "derivative"},
      {"GeneratedBy", nlohmann::json::array({{{"Name", "voxflow"},
                                              {"Version", VOXFLOW_VERSION_STRING},
                                              {"Description", "Quantitative perfusion MRI maps on Kokkos"},
                                              {"CodeCommit", VOXFLOW_GIT_COMMIT}}})}};
  write_json(path, doc);
}

SubjectOutputs::SubjectOutputs(std::string out_dir, std::string subject, std::string session,
                               std::string const& datatype, std::string method, bool compress)
    : method_(std::move(method)), compress_(compress) {
  fs::path folder = fs::path(out_dir) / ("sub-" + subject);
  prefix_ = "sub-" + subject;
  if (!session.empty()) {
    folder /= "ses-" + session;
    prefix_ += "_ses-" + session;
  }
  subject_folder_ = folder.string();
  folder_ = (folder / datatype).string();
  refuse_link(fs::path(out_dir) / ("sub-" + subject));
  if (!session.empty()) refuse_link(subject_folder_);
  refuse_link(folder_);
}

std::string SubjectOutputs::folder(std::string const& datatype) const {
  return datatype.empty() ? folder_ : subject_folder_ + "/" + datatype;
}

std::string SubjectOutputs::path(std::string const& suffix, std::string const& extension,
                                 std::string const& desc, std::string const& datatype) const {
  return folder(datatype) + "/" + prefix_ + "_desc-" + (desc.empty() ? method_ : desc) + "_" + suffix +
         extension;
}

std::string SubjectOutputs::map_path(MapSpec const& spec) const {
  return path(spec.suffix, compress_ ? ".nii.gz" : ".nii", spec.desc, spec.datatype);
}

std::string SubjectOutputs::sidecar_path(MapSpec const& spec) const {
  return path(spec.suffix, ".json", spec.desc, spec.datatype);
}

std::string SubjectOutputs::lock_path() const {
  return folder_ + "/." + prefix_ + ".lock";
}

void SubjectOutputs::write_map(MapSpec const& spec, io::NiftiGeometry const& geometry,
                               std::array<int64_t, 3> dims, std::vector<double> const& values,
                               nlohmann::json sidecar) const {
  io::NiftiGeometry g = geometry;
  g.pixdim[4] = 0.0;  // a 3-D map has no time step
  g.time_step_s = 0.0;
  io::NiftiWriteOptions options;
  if (spec.codes) options.datatype = io::NiftiDatatype::uint8;
  bool const large = std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d > 32767; });
  options.nifti_version = large ? 2 : 1;  // NIfTI-1 stores dimensions as 16-bit numbers
  options.gzip_level = gzip_level;
  refuse_link(folder(spec.datatype));
  io::write_nifti(map_path(spec), g, dims, values, options);
  sidecar["Units"] = spec.units;
  sidecar["SkullStripped"] = false;  // required for image derivatives; voxflow fits what the mask selects
  for (auto const& [key, value] : provenance.items()) sidecar[key] = value;
  write_json(sidecar_path(spec), sidecar);
}

}  // namespace voxflow::pipeline
