#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/input_paths.hpp>

#include <algorithm>
#include <filesystem>

namespace voxflow::io {

namespace fs = std::filesystem;

bool is_input_directory(std::string const& path, std::string const& field) {
  std::error_code ec;
  auto const status = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
    throw InputError(path, field, "a readable file or folder (" + ec.message() + ")");
  return fs::is_directory(status);
}

std::vector<std::string> list_input_directory(std::string const& folder, std::string const& field) {
  std::vector<std::string> entries;
  if (!is_input_directory(folder, field)) return entries;
  std::error_code ec;
  fs::directory_iterator it(folder, ec), end;
  for (; !ec && it != end; it.increment(ec)) entries.push_back(it->path().string());
  if (ec) throw InputError(folder, field, "a folder that can be listed (" + ec.message() + ")");
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::string sidecar_of(std::string const& image) {
  std::string stem = image;
  for (char const* ext : {".nii.gz", ".nii"})
    if (ends_with(stem, ext)) {
      stem.resize(stem.size() - std::string(ext).size());
      break;
    }
  return stem + ".json";
}

}  // namespace voxflow::io
