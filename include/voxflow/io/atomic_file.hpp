// Atomic output files (DESIGN.md §3, restart): a writer fills a temporary file in the target's own folder and
// renames it over the final name only once it is complete, so a crash, a full disk or an exception never
// leaves a half-written file under the final name, and `--resume` can trust any output that exists.
#ifndef VOXFLOW_IO_ATOMIC_FILE_HPP
#define VOXFLOW_IO_ATOMIC_FILE_HPP

#include <string>
#include <string_view>
#include <vector>

namespace voxflow::io {

class AtomicFile {
 public:
  // Checks that `final_path` can be created (its folder exists and it is not a folder itself) and picks the
  // temporary name "<stem>.partial-<pid>-<n><extension>" beside it. `extension` (e.g. ".nii.gz") must end
  // `final_path`; it is kept on the temporary name because some writers choose the encoding by extension.
  // The temporary name is registered for removal when the process is interrupted by a signal
  // (install_signal_cleanup(), temporary_registry.hpp) until commit() or discard(). Throws OutputError naming
  // `final_path`.
  AtomicFile(std::string final_path, std::string const& extension);
  // Removes the temporary file unless commit() succeeded.
  ~AtomicFile();
  AtomicFile(AtomicFile const&) = delete;
  AtomicFile& operator=(AtomicFile const&) = delete;

  std::string const& temp_path() const { return temp_path_; }
  std::string const& final_path() const { return final_path_; }

  // Flushes the finished temporary file to disk and renames it to the final name, replacing an older file
  // there. Throws OutputError (and removes the temporary file) when either step fails. The writer must have
  // closed the temporary file and checked that the close succeeded: buffered data that do not fit on the disk
  // fail only then, and commit() cannot see that.
  void commit();
  // Writes `bytes` as the whole temporary file, unbuffered, every write and the close checked: OutputError
  // naming the final path and the system's reason (e.g. "No space left on device").
  void write_all(std::string_view bytes);
  // Removes the temporary file now (idempotent); used when a writer fails.
  void discard() noexcept;

 private:
  std::string final_path_;
  std::string temp_path_;
  int registry_slot_ = -1;
  bool committed_ = false;
};

// Defers the folder fsync of AtomicFile::commit for the named folders while it lives: a commit of a file in
// one of them records the folder instead of syncing it, and flush() syncs each recorded folder once. A
// subject's writer holds one over its output folders and flushes before the run record, which marks the
// subject complete: every file's data still reaches the disk before its rename (commit's own fsync), and
// every rename before the record, at one folder fsync per folder instead of one per file. Commits in other
// folders (the cohort ledger, the dataset description) are synced at once as before. Process-wide, so the
// threads that write maps in parallel share it; one scope at a time (a second one throws std::logic_error).
class DeferredFolderSync {
 public:
  explicit DeferredFolderSync(std::vector<std::string> const& folders);
  // Flushes what is still recorded; failures there are ignored, as commit's own folder sync does.
  ~DeferredFolderSync();
  DeferredFolderSync(DeferredFolderSync const&) = delete;
  DeferredFolderSync& operator=(DeferredFolderSync const&) = delete;
  // Syncs each folder recorded since the last flush once; returns how many it synced.
  std::size_t flush() noexcept;
};

// Writes `text` to `path` through an AtomicFile (the extension is taken from the path). Throws OutputError
// naming `path` and the system's reason (e.g. "No space left on device") when any write, the close, the fsync
// or the rename fails; the final name is then left as it was and no temporary file remains.
void write_text_atomically(std::string const& path, std::string const& text);

// True when `path` ends with `suffix`.
bool ends_with(std::string const& path, std::string const& suffix);

}  // namespace voxflow::io

#endif
