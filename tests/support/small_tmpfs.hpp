// A real full disk for the I/O tests: a tiny tmpfs mounted on a fresh TempDir. Faking ENOSPC is unreliable
// (every writer buffers differently and fails at a different call), so writers are run against a file system
// that really fills up. Mounting needs CAP_SYS_ADMIN (the test machines run as root); elsewhere the tests
// that need it are skipped with the reason.
#ifndef VOXFLOW_TESTS_SUPPORT_SMALL_TMPFS_HPP
#define VOXFLOW_TESTS_SUPPORT_SMALL_TMPFS_HPP

#include "io_test_support.hpp"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace voxflow::testing {

// A TempDir with the tmpfs mounted on it: file(), path() and entries() work as there.
class SmallTmpfs : public TempDir {
 public:
  // Mounts a tmpfs of `bytes` (rounded up to whole pages by the kernel).
  explicit SmallTmpfs(std::size_t bytes = 16 * 1024) {
    std::string const options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", path().c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      int const error = errno;
      why_not_ = std::string("cannot mount a small tmpfs to fill up (") + std::strerror(error) + ")" +
                 (error == EPERM ? "; this test needs root or CAP_SYS_ADMIN" : "");
      if (error != EPERM) ADD_FAILURE() << why_not_;
    }
  }
  // Unmounts before ~TempDir removes the folder.
  ~SmallTmpfs() {
    if (mounted_ && ::umount(path().c_str()) != 0) ::umount2(path().c_str(), MNT_DETACH);
  }

  bool mounted() const { return mounted_; }
  // Why the tmpfs could not be mounted: the reason to skip a test with.
  std::string const& why_not() const { return why_not_; }

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

 private:
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
