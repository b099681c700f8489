// One writer per output folder (DESIGN.md §3, restart). Two runs writing the same subject's outputs would
// each rename complete files into place, but a mix of the two runs' files is no result at all, and `--resume`
// would trust it. An OutputLock holds an exclusive flock on a lock file for as long as a run writes there; a
// second run fails at once, saying which process holds the lock. The kernel drops a flock when its holder
// dies, so a crashed run never blocks the next one; the file it leaves behind only records who held it last.
#ifndef VOXFLOW_IO_OUTPUT_LOCK_HPP
#define VOXFLOW_IO_OUTPUT_LOCK_HPP

#include <string>

namespace voxflow::io {

class OutputLock {
 public:
  // Creates `lock_path` if needed, takes an exclusive non-blocking flock on it and writes "<pid> <host>" into
  // it. Throws OutputError naming the lock path: when another open of the file (another process, or another
  // OutputLock in this one) holds the lock, the message names the holder's pid and host. The path is
  // registered for signal cleanup (temporary_registry.hpp). flock is advisory and may be unsupported on some
  // network file systems; the error then says so.
  explicit OutputLock(std::string lock_path);
  // Removes the lock file (when it is still the one this lock holds) and releases the lock.
  ~OutputLock();
  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&& other) noexcept;
  OutputLock(OutputLock const&) = delete;
  OutputLock& operator=(OutputLock const&) = delete;

  std::string const& path() const { return path_; }

 private:
  void release() noexcept;

  std::string path_;
  int fd_ = -1;
  int registry_slot_ = -1;
};

}  // namespace voxflow::io

#endif
