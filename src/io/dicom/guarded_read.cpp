// read_dicom_series_guarded (include/voxflow/io/dicom_series.hpp): the series is read once in a child
// process first. GDCM 3.0, as Debian ships it, keeps its assertions on, and some corrupt files still reach
// one past voxflow's own checks (structure walk, JPEG frame headers, sizes): in-process that aborts the run,
// or a cohort's MPI rank with every subject it holds. In a child the abort ends only the child; the parent
// names the file the child was on and throws an InputError, and the run goes on to the next subject.
#include "reading_progress.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/dicom_series.hpp>

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

namespace voxflow::io {

namespace {

constexpr std::size_t progress_bytes = 4096;
char* progress_page = nullptr;  // shared with the parent, set in a guarded read's child only

// The signals of a crash (an assertion, a bad access), as opposed to a stop from outside (kill, SIGTERM, the
// out-of-memory killer), after which the file is not to blame and the parent reads it itself.
bool is_crash(int signal_number) {
  for (int s : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS})
    if (signal_number == s) return true;
  return false;
}

// Reads the series in a child process and throws InputError where that child crashed. Any other outcome
// (the series read, an InputError, no child possible) leaves the parent to read it and report that itself.
void read_in_child_first(std::string const& input, DicomSelection const& selection) {
  void* const shared =
      ::mmap(nullptr, progress_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return;
  pid_t const child = ::fork();
  if (child == 0) {
    struct rlimit const no_core = {0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // a crash here is expected and reported: no core file per bad input
    progress_page = static_cast<char*>(shared);
    try {
      (void)read_dicom_series(input, selection);
    } catch (...) {  // the parent's own read reports it
    }
    ::_exit(0);  // no exit handlers: the parent's buffers, Kokkos and MPI are the parent's
  }
  int status = 0;
  pid_t waited = child;
  while (child > 0 && (waited = ::waitpid(child, &status, 0)) < 0 && errno == EINTR) {
  }
  std::string const file(static_cast<char const*>(shared),
                         ::strnlen(static_cast<char const*>(shared), progress_bytes));
  ::munmap(shared, progress_bytes);
  if (child <= 0 || waited != child) return;
  std::string outcome;
  if (WIFSIGNALED(status) && is_crash(WTERMSIG(status)))
    outcome = "signal " + std::to_string(WTERMSIG(status)) + ", " + ::strsignal(WTERMSIG(status));
  else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    outcome = "exit status " + std::to_string(WEXITSTATUS(status));
  if (outcome.empty()) return;
  throw InputError(
      file.empty() ? input : file, "",
      "a DICOM file that GDCM reads without crashing (reading it ended the reading process with " + outcome +
          ": GDCM asserts on some corrupt files; this one is corrupt or in a form GDCM does not "
          "support)");
}

}  // namespace

namespace detail {

void note_file_in_progress(std::string const& path) {
  if (progress_page == nullptr) return;
  std::size_t const n = std::min(path.size(), progress_bytes - 1);
  std::memcpy(progress_page, path.data(), n);
  progress_page[n] = '\0';
}

}  // namespace detail

DicomSeries read_dicom_series_guarded(std::string const& directory_or_file, DicomSelection const& selection) {
  read_in_child_first(directory_or_file, selection);
  return read_dicom_series(directory_or_file, selection);
}

}  // namespace voxflow::io
