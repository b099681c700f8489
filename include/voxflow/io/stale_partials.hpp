// Leftovers of interrupted writers (DESIGN.md §3, restart). An AtomicFile's temporary file
// "<stem>.partial-<pid>-<n><extension>" is removed by its destructor or, on SIGINT/SIGTERM/SIGHUP, by the
// signal cleanup; a killed (SIGKILL, out of memory) or crashed run still leaves it behind. A resumed run
// clears them here before writing again.
#ifndef VOXFLOW_IO_STALE_PARTIALS_HPP
#define VOXFLOW_IO_STALE_PARTIALS_HPP

#include <cstddef>
#include <string>

namespace voxflow::io {

// Removes the regular files directly in `folder` (not in subfolders) whose names contain ".partial-<pid>-<n>"
// and returns how many were removed. With `only_dead_writers`, a file is removed only when no process with
// that pid exists on this machine (kill(pid, 0) fails with ESRCH), so live writers of this or another run
// keep their files. Pids are per machine: on a folder shared between machines a writer elsewhere looks dead
// here, so clear such a folder only while holding its OutputLock. Without `only_dead_writers`, every such
// file goes, this process's own too. Throws OutputError naming the folder or the file that stays.
std::size_t remove_stale_partials(std::string const& folder, bool only_dead_writers);

// The pid in an AtomicFile temporary name such as "t1map.partial-1234-0.nii.gz", or 0 when `name` is none.
long partial_writer_pid(std::string const& name);

}  // namespace voxflow::io

#endif
