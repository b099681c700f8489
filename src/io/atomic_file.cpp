#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace voxflow::io {

namespace fs = std::filesystem;

namespace {

// Several threads of one process may write into the same folder: the pid alone does not make names unique.
std::atomic<unsigned long> temp_counter{0};

// fsync so that the rename cannot reach the disk before the data does (a crash would otherwise leave an empty
// file under the final name on some file systems).
bool sync_path(std::string const& path, int flags) {
  int const fd = ::open(path.c_str(), flags);
  if (fd < 0) return false;
  bool const ok =
      ::fsync(fd) == 0 || errno == EINVAL || errno == EROFS;  // EINVAL: no fsync on this file system
  ::close(fd);
  return ok;
}

}  // namespace

bool ends_with(std::string const& path, std::string const& suffix) {
  return path.size() >= suffix.size() &&
         path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

AtomicFile::AtomicFile(std::string final_path, std::string const& extension)
    : final_path_(std::move(final_path)) {
  if (final_path_.empty()) throw OutputError("<empty path>", "an output file name is required");
  if (!ends_with(final_path_, extension))
    throw OutputError(final_path_, "the file name must end with '" + extension + "'");
  fs::path const target(final_path_);
  std::error_code ec;
  if (fs::is_directory(target, ec))
    throw OutputError(final_path_, "the path is an existing folder, not a file");
  fs::path const folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(folder, ec))
    throw OutputError(final_path_, "the folder '" + folder.string() + "' does not exist or is not a folder");
  std::string const name = target.filename().string();
  std::string const stem = name.substr(0, name.size() - extension.size());
  std::string const tag = ".partial-" + std::to_string(::getpid()) + "-" + std::to_string(temp_counter++);
  temp_path_ = (folder / (stem + tag + extension)).string();
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
  std::error_code ec;
  fs::remove(temp_path_, ec);
}

void AtomicFile::commit() {
  if (!sync_path(temp_path_, O_RDONLY)) {
    std::string const why = std::strerror(errno);
    discard();
    throw OutputError(final_path_, "could not flush the temporary file '" + temp_path_ + "' to disk: " + why);
  }
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    std::string const why = std::strerror(errno);
    discard();
    throw OutputError(final_path_, "could not rename the finished temporary file into place: " + why);
  }
  committed_ = true;
  fs::path const folder = fs::path(final_path_).has_parent_path() ? fs::path(final_path_).parent_path() : ".";
  sync_path(folder.string(),
            O_RDONLY | O_DIRECTORY);  // persists the rename; failure here loses nothing written
}

void write_text_atomically(std::string const& path, std::string const& text) {
  std::string const name = std::filesystem::path(path).filename().string();
  auto const dot = name.find('.', 1);  // keeps compound extensions such as ".nii.gz"; none for ".bidsignore"
  AtomicFile file(path, dot == std::string::npos ? std::string() : name.substr(dot));
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    out << text;
    if (!out) throw OutputError(path, "could not be written completely");
  }
  file.commit();
}

}  // namespace voxflow::io
