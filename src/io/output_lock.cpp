// Output folder locks (output_lock.hpp). The lock file is removed on release, which opens the classic race:
// run A opens the file, run B (the holder) unlinks it and releases, A then locks the unlinked inode while run
// C creates and locks a new file under the same name, and A and C both believe they hold the lock. So after
// locking, the open file is compared with what the path names now, and the attempt is repeated until they
// are the same file. Only a holder ever unlinks the path, and only while it still names the held file.
#include "file_identity.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/output_lock.hpp>
#include <voxflow/io/temporary_registry.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>
#include <utility>

namespace voxflow::io {

namespace {

constexpr int max_attempts = 100;

// "pid 1234 on host x", from the "<pid> <host>" line the holder wrote; empty when nothing readable is there.
std::string read_holder(int fd) {
  char buffer[512];
  ssize_t const n = ::pread(fd, buffer, sizeof(buffer), 0);
  if (n <= 0) return "";
  std::istringstream line(std::string(buffer, static_cast<std::size_t>(n)));
  long pid = 0;
  std::string host;
  if (!(line >> pid >> host)) return "";
  return "pid " + std::to_string(pid) + " on host " + host;
}

// The holder writes its line just after locking; a run that comes a moment later waits briefly for it.
std::string describe_holder(int fd) {
  for (int i = 0; i < 20; ++i) {
    std::string const holder = read_holder(fd);
    if (!holder.empty()) return holder;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return "which did not record its pid";
}

std::string this_process() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::strcpy(host, "unknown");
  return std::to_string(::getpid()) + " " + host + "\n";
}

// Replaces the file's contents with `text`; false (errno set) on failure.
bool overwrite(int fd, std::string const& text) {
  if (::ftruncate(fd, 0) != 0) return false;
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t const n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

OutputLock::OutputLock(std::string lock_path) : path_(std::move(lock_path)) {
  if (path_.empty()) throw OutputError("<empty path>", "a lock file name is required");
  for (int attempt = 1;; ++attempt) {
    // O_NOFOLLOW: a symbolic link planted under the lock's name would have this run truncate and write
    // whatever file it points to, anywhere.
    int const fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 && errno == ELOOP)
      throw OutputError(path_,
                        "the lock file is a symbolic link; voxflow does not write through links (remove it)");
    if (fd < 0) throw OutputError(path_, std::string("cannot open the lock file: ") + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int const error = errno;
      if (error == EWOULDBLOCK) {
        std::string const holder = describe_holder(fd);
        ::close(fd);
        throw OutputError(path_, "another voxflow run (" + holder +
                                     ") is writing here; wait for it or remove the lock file if no such "
                                     "run exists");
      }
      ::close(fd);
      throw OutputError(
          path_,
          std::string("cannot lock the lock file: ") + std::strerror(error) +
              (error == ENOLCK || error == EOPNOTSUPP ? " (this file system may not support flock)" : ""));
    }
    if (detail::path_names_open_file(path_.c_str(), fd)) {
      fd_ = fd;
      break;
    }
    ::close(fd);  // locked a file that its holder removed meanwhile; the path names another one (or none)
    if (attempt == max_attempts)
      throw OutputError(path_, "the lock file kept being replaced while it was being locked");
  }
  if (!overwrite(fd_, this_process())) {
    std::string const why = std::strerror(errno);
    release();
    throw OutputError(path_, "cannot record this run in the lock file: " + why);
  }
  registry_slot_ = register_temporary(path_, fd_);
}

OutputLock::~OutputLock() {
  release();
}

OutputLock::OutputLock(OutputLock&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      registry_slot_(std::exchange(other.registry_slot_, -1)) {}

OutputLock& OutputLock::operator=(OutputLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    registry_slot_ = std::exchange(other.registry_slot_, -1);
  }
  return *this;
}

void OutputLock::release() noexcept {
  if (fd_ < 0) return;
  // Unregistered first, so that the signal handler never sees a path this lock no longer holds.
  unregister_temporary(registry_slot_);
  registry_slot_ = -1;
  if (detail::path_names_open_file(path_.c_str(), fd_)) ::unlink(path_.c_str());
  ::close(fd_);  // releases the flock
  fd_ = -1;
}

}  // namespace voxflow::io
