// Free space before writing (DESIGN.md §3): a run that would fill the disk halfway through a subject is better
// refused before the first fit starts.
#ifndef VOXFLOW_IO_DISK_SPACE_HPP
#define VOXFLOW_IO_DISK_SPACE_HPP

#include <cstdint>
#include <string>

namespace voxflow::io {

// Bytes an unprivileged writer may still use (statvfs: f_bavail * f_frsize; the blocks reserved for root do
// not count) on the file system holding `path`, or holding its nearest existing ancestor when `path` does not
// exist yet (an output folder about to be created). Throws OutputError naming `path`.
std::uintmax_t available_bytes(std::string const& path);

}  // namespace voxflow::io

#endif
