// Atomic output files (atomic_file.hpp). Every step that can fail is checked, and a failure at any of them
// (write, flush, close, fsync, rename) removes the temporary file instead of renaming it: buffered data that
// fails to reach a full disk surfaces only at close, and a file renamed after that would be empty. The
// temporary is registered for removal by the signal cleanup (temporary_registry.hpp) for as long as it lives.
#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/temporary_registry.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>

namespace voxflow::io {

namespace fs = std::filesystem;

namespace {

// Several threads of one process may write into the same folder: the pid alone does not make names unique.
std::atomic<unsigned long> temp_counter{0};

// fsync so that the rename cannot reach the disk before the data does (a crash would otherwise leave an empty
// file under the final name on some file systems). Returns 0 or the errno of the failing call.
int sync_path(std::string const& path, int flags) {
  int const fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  int error = ::fsync(fd) == 0 ? 0 : errno;
  if (error == EINVAL || error == EROFS) error = 0;  // no fsync on this file system
  ::close(fd);                                       // read-only: nothing left to lose here
  return error;
}

// The folders whose sync a DeferredFolderSync defers (normalised paths), and those committed into since its
// last flush. Guarded by one mutex: maps are committed from several threads.
struct DeferredFolders {
  std::mutex mutex;
  bool active = false;
  std::set<std::string> deferred;
  std::set<std::string> pending;
};
DeferredFolders& deferred_folders() {
  static DeferredFolders folders;
  return folders;
}

std::string folder_key(fs::path const& folder) {
  std::error_code ec;
  fs::path const absolute = fs::absolute(folder, ec);
  fs::path key = (ec ? folder : absolute).lexically_normal();
  if (key.filename().empty() && key.has_parent_path()) key = key.parent_path();  // "a/b/" is "a/b"
  return key.string();
}

// Syncs `folder` now, or records it when a DeferredFolderSync defers it.
void sync_folder(fs::path const& folder) {
  {
    auto& d = deferred_folders();
    std::lock_guard<std::mutex> guard(d.mutex);
    if (d.active) {
      std::string key = folder_key(folder);
      if (d.deferred.count(key) != 0) {
        d.pending.insert(std::move(key));
        return;
      }
    }
  }
  sync_path(folder.string(),
            O_RDONLY | O_DIRECTORY);  // persists the rename; failure here loses nothing written
}

}  // namespace

DeferredFolderSync::DeferredFolderSync(std::vector<std::string> const& folders) {
  auto& d = deferred_folders();
  std::lock_guard<std::mutex> guard(d.mutex);
  if (d.active) throw std::logic_error("DeferredFolderSync: a second scope while one is active");
  d.active = true;
  d.deferred.clear();
  d.pending.clear();
  for (auto const& folder : folders) d.deferred.insert(folder_key(folder));
}

DeferredFolderSync::~DeferredFolderSync() {
  flush();
  auto& d = deferred_folders();
  std::lock_guard<std::mutex> guard(d.mutex);
  d.active = false;
  d.deferred.clear();
}

std::size_t DeferredFolderSync::flush() noexcept {
  std::set<std::string> folders;
  {
    auto& d = deferred_folders();
    std::lock_guard<std::mutex> guard(d.mutex);
    folders.swap(d.pending);
  }
  for (auto const& folder : folders) sync_path(folder, O_RDONLY | O_DIRECTORY);
  return folders.size();
}

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
  registry_slot_ = register_temporary(temp_path_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
  std::error_code ec;
  fs::remove(temp_path_, ec);
  unregister_temporary(registry_slot_);
  registry_slot_ = -1;
}

void AtomicFile::commit() {
  if (int const error = sync_path(temp_path_, O_RDONLY); error != 0) {
    discard();
    throw OutputError(final_path_, "could not flush the temporary file '" + temp_path_ +
                                       "' to disk: " + std::strerror(error));
  }
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    int const error = errno;
    discard();
    throw OutputError(final_path_, std::string("could not rename the finished temporary file into place: ") +
                                       std::strerror(error));
  }
  committed_ = true;
  unregister_temporary(registry_slot_);  // after the rename: until then a signal still removes the temporary
  registry_slot_ = -1;
  sync_folder(fs::path(final_path_).has_parent_path() ? fs::path(final_path_).parent_path() : fs::path("."));
}

void AtomicFile::write_all(std::string_view bytes) {
  auto fail = [&](char const* action, int error) {
    throw OutputError(final_path_, std::string("cannot ") + action + " the temporary file '" + temp_path_ +
                                       "': " + std::strerror(error));
  };
  // Unbuffered: each write reports its own failure, and no data wait for a close whose error is easy to lose.
  int const fd = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail("create", errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t const n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int const error = n < 0 ? errno : EIO;  // a write that makes no progress would loop forever
      ::close(fd);
      fail("write to", error);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) fail("close", errno);  // network file systems report write errors here
}

void write_text_atomically(std::string const& path, std::string const& text) {
  std::string const name = std::filesystem::path(path).filename().string();
  auto const dot = name.find('.', 1);  // keeps compound extensions such as ".nii.gz"; none for ".bidsignore"
  AtomicFile file(path, dot == std::string::npos ? std::string() : name.substr(dot));
  file.write_all(text);
  file.commit();
}

}  // namespace voxflow::io
