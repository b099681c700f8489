// Free space on the file system of an output path (disk_space.hpp).
#include <voxflow/core/errors.hpp>
#include <voxflow/io/disk_space.hpp>

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace voxflow::io {

std::uintmax_t available_bytes(std::string const& path) {
  namespace fs = std::filesystem;
  for (fs::path probe = path.empty() ? fs::path(".") : fs::path(path);;) {
    struct statvfs info;
    if (::statvfs(probe.c_str(), &info) == 0)
      return static_cast<std::uintmax_t>(info.f_bavail) * static_cast<std::uintmax_t>(info.f_frsize);
    int const error = errno;
    // A missing path (or one below a file) is measured at its nearest existing ancestor; "/" and "." end the
    // search.
    bool const missing = error == ENOENT || error == ENOTDIR;
    if (!missing || !probe.has_relative_path() || probe == ".")
      throw OutputError(path,
                        "cannot measure the free space at '" + probe.string() + "': " + std::strerror(error));
    probe = probe.parent_path().empty() ? fs::path(".") : probe.parent_path();
  }
}

}  // namespace voxflow::io
