#include <voxflow/core/errors.hpp>
#include <voxflow/core/excerpt.hpp>
#include <voxflow/pipeline/bids_sidecar.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace voxflow::pipeline {

namespace fs = std::filesystem;

namespace {

nlohmann::json read_json_object(std::string const& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", std::string("a readable JSON sidecar (") + std::strerror(errno) + ")");
  nlohmann::json doc;
  try {
    in >> doc;
  } catch (nlohmann::json::exception const& e) {
    throw InputError(path, "", "a valid JSON sidecar (" + excerpt(e.what(), 200) + ")");
  }
  if (!doc.is_object()) throw InputError(path, "", "a JSON object");
  return doc;
}

// The entities (<key>-<label>) and the suffix of a BIDS file name without its extension.
struct BidsName {
  std::set<std::string> entities;
  std::string suffix;
};
BidsName parse_name(std::string stem) {
  BidsName name;
  std::size_t start = 0;
  while (true) {
    std::size_t const end = stem.find('_', start);
    std::string const part = stem.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (end == std::string::npos) {
      name.suffix = part;
      return name;
    }
    name.entities.insert(part);
    start = end + 1;
  }
}

std::string stem_of(std::string const& file) {
  std::string name = fs::path(file).filename().string();
  for (char const* ext : {".nii.gz", ".nii", ".json"})
    if (name.size() > std::string(ext).size() &&
        name.compare(name.size() - std::string(ext).size(), std::string::npos, ext) == 0)
      return name.substr(0, name.size() - std::string(ext).size());
  return name;
}

// The nearest folder at or above `folder` (at most three levels: datatype, session, subject) holding a
// dataset_description.json; empty when there is none.
fs::path dataset_root(fs::path folder) {
  std::error_code ec;
  for (int level = 0; level <= 3 && !folder.empty(); ++level, folder = folder.parent_path()) {
    if (fs::is_regular_file(folder / "dataset_description.json", ec)) return folder;
    if (folder == folder.parent_path()) break;
  }
  return {};
}

}  // namespace

void BidsSidecar::merge(std::string const& path) {
  nlohmann::json const doc = read_json_object(path);  // kept alive: items() refers into it
  for (auto const& [key, value] : doc.items()) {
    doc_[key] = value;
    sources_[key] = path;
  }
  path_ = path;
}

BidsSidecar BidsSidecar::read(std::string const& path) {
  BidsSidecar s;
  std::error_code ec;
  if (!path.empty() && fs::is_regular_file(path, ec)) s.merge(path);
  return s;
}

BidsSidecar BidsSidecar::for_data_file(std::string const& data_file) {
  fs::path const folder = fs::absolute(data_file).parent_path();
  fs::path const root = dataset_root(folder);
  std::string const own = (folder / (stem_of(data_file) + ".json")).string();
  if (root.empty()) return read(own);
  BidsName const data = parse_name(stem_of(data_file));
  // Folders from the root down to the data file's.
  std::vector<fs::path> folders;
  for (fs::path f = folder;; f = f.parent_path()) {
    folders.push_back(f);
    if (f == root || f == f.parent_path()) break;
  }
  std::reverse(folders.begin(), folders.end());
  BidsSidecar s;
  std::error_code ec;
  for (auto const& f : folders) {
    std::vector<std::pair<std::size_t, std::string>> applicable;  // (entity count, file)
    for (auto const& entry : fs::directory_iterator(f, ec)) {
      if (entry.path().extension() != ".json" || !entry.is_regular_file(ec)) continue;
      BidsName const candidate = parse_name(stem_of(entry.path().string()));
      if (candidate.suffix != data.suffix) continue;
      if (std::includes(data.entities.begin(), data.entities.end(), candidate.entities.begin(),
                        candidate.entities.end()))
        applicable.emplace_back(candidate.entities.size(), entry.path().string());
    }
    std::sort(applicable.begin(), applicable.end());
    for (auto const& [count, file] : applicable) s.merge(file);
  }
  return s;
}

std::string const& BidsSidecar::source(std::string const& key) const {
  auto const it = sources_.find(key);
  return it == sources_.end() ? path_ : it->second;
}

std::optional<double> BidsSidecar::number(char const* key) const {
  if (!doc_.contains(key)) return std::nullopt;
  if (!doc_[key].is_number()) throw InputError(source(key), key, "a number");
  return doc_[key].get<double>();
}

std::optional<std::string> BidsSidecar::text(char const* key) const {
  if (!doc_.contains(key)) return std::nullopt;
  if (!doc_[key].is_string()) throw InputError(source(key), key, "a text value");
  return doc_[key].get<std::string>();
}

std::optional<bool> BidsSidecar::flag(char const* key) const {
  if (!doc_.contains(key)) return std::nullopt;
  if (!doc_[key].is_boolean()) throw InputError(source(key), key, "true or false");
  return doc_[key].get<bool>();
}

std::optional<std::vector<double>> BidsSidecar::numbers(char const* key) const {
  if (!doc_.contains(key)) return std::nullopt;
  auto const& value = doc_[key];
  if (value.is_number()) return std::vector<double>{value.get<double>()};
  if (!value.is_array()) throw InputError(source(key), key, "a number or a list of numbers");
  std::vector<double> out;
  for (auto const& v : value) {
    if (!v.is_number()) throw InputError(source(key), key, "a number or a list of numbers");
    out.push_back(v.get<double>());
  }
  return out;
}

}  // namespace voxflow::pipeline
