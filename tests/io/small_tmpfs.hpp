// A real full disk for the I/O tests: a tiny tmpfs mounted on a fresh folder. Faking ENOSPC is unreliable
// (every writer buffers differently and fails at a different call), so writers are run against a file system
// that really fills up. Mounting needs CAP_SYS_ADMIN (the test machines run as root); elsewhere the tests
// that need it are skipped with the reason.
#ifndef VOXFLOW_TESTS_IO_SMALL_TMPFS_HPP
#define VOXFLOW_TESTS_IO_SMALL_TMPFS_HPP

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace voxflow::testing {

class SmallTmpfs {
 public:
  // Mounts a tmpfs of `bytes` (rounded up to whole pages by the kernel) on a new folder under the system
  // temporary folder.
  explicit SmallTmpfs(std::size_t bytes = 16 * 1024) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("voxflow-tmpfs-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
    std::string const options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      int const error = errno;
      why_not_ = std::string("cannot mount a small tmpfs to fill up (") + std::strerror(error) + ")" +
                 (error == EPERM ? "; this test needs root or CAP_SYS_ADMIN" : "");
      if (error != EPERM) ADD_FAILURE() << why_not_;
    }
  }
  ~SmallTmpfs() {
    if (mounted_ && ::umount(path_.c_str()) != 0) ::umount2(path_.c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  SmallTmpfs(SmallTmpfs const&) = delete;
  SmallTmpfs& operator=(SmallTmpfs const&) = delete;

  bool mounted() const { return mounted_; }
  // Why the tmpfs could not be mounted: the reason to skip a test with.
  std::string const& why_not() const { return why_not_; }

  std::string file(std::string const& name) const { return (path_ / name).string(); }
  std::filesystem::path const& path() const { return path_; }

  // Fills the disk with the file "filler", then gives back `leave` bytes (in whole pages), so that the next
  // writer finds a little room and fails part-way.
  void fill(std::size_t leave) const {
    std::string const filler = file("filler");
    {
      std::ofstream out(filler, std::ios::binary);
      std::string const block(4096, 'x');
      while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
      }
    }
    auto const size = std::filesystem::file_size(filler);
    std::filesystem::resize_file(filler, size > leave ? size - leave : 0);
  }

  // Names of the entries on the tmpfs (a failed write must leave none).
  std::set<std::string> entries() const {
    std::set<std::string> names;
    for (auto const& e : std::filesystem::directory_iterator(path_))
      names.insert(e.path().filename().string());
    return names;
  }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
  std::string why_not_;
};

// `n` pseudo-random bytes (a fixed sequence): data that no compression shrinks below the tmpfs size.
inline std::vector<unsigned char> incompressible_bytes(std::size_t n) {
  std::vector<unsigned char> bytes(n);
  std::uint32_t state = 2463534242u;
  for (auto& b : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    b = static_cast<unsigned char>(state >> 24);
  }
  return bytes;
}

// Skips the current test unless `tmpfs` is mounted.
#define VOXFLOW_REQUIRE_SMALL_TMPFS(tmpfs) \
  if (!(tmpfs).mounted()) GTEST_SKIP() << (tmpfs).why_not()

}  // namespace voxflow::testing

#endif
