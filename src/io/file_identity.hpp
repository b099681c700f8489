// Private to src/io: whether a path still names a file that is open, compared by device and inode. Uses only
// stat and fstat, so the signal handler of temporary_registry.cpp may call it.
#ifndef VOXFLOW_SRC_IO_FILE_IDENTITY_HPP
#define VOXFLOW_SRC_IO_FILE_IDENTITY_HPP

#include <sys/stat.h>

namespace voxflow::io::detail {

inline bool path_names_open_file(char const* path, int fd) noexcept {
  struct stat by_path, by_fd;
  return ::stat(path, &by_path) == 0 && ::fstat(fd, &by_fd) == 0 && by_path.st_dev == by_fd.st_dev &&
         by_path.st_ino == by_fd.st_ino;
}

}  // namespace voxflow::io::detail

#endif
