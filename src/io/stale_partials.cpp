// Removal of the temporary files of interrupted writers (stale_partials.hpp). The name pattern is the one
// AtomicFile gives its temporaries (atomic_file.cpp); the tests check that the two agree.
#include <voxflow/core/errors.hpp>
#include <voxflow/io/stale_partials.hpp>

#include <signal.h>

#include <cerrno>
#include <climits>
#include <filesystem>

namespace voxflow::io {

namespace fs = std::filesystem;

namespace {

// Parses the decimal digits at `name[*pos]` onwards; false when there are none or they exceed INT_MAX.
bool parse_digits(std::string const& name, std::size_t* pos, long* value) {
  std::size_t const start = *pos;
  *value = 0;
  while (*pos < name.size() && name[*pos] >= '0' && name[*pos] <= '9') {
    *value = *value * 10 + (name[*pos] - '0');
    if (*value > INT_MAX) return false;
    ++*pos;
  }
  return *pos > start;
}

bool writer_is_dead(long pid) {
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;  // EPERM: alive, another user's
}

}  // namespace

long partial_writer_pid(std::string const& name) {
  static std::string const tag = ".partial-";
  for (std::size_t at = name.find(tag); at != std::string::npos; at = name.find(tag, at + 1)) {
    std::size_t pos = at + tag.size();
    long pid = 0, counter = 0;
    if (!parse_digits(name, &pos, &pid) || pos >= name.size() || name[pos] != '-') continue;
    ++pos;
    if (parse_digits(name, &pos, &counter) && pid > 0) return pid;
  }
  return 0;
}

std::size_t remove_stale_partials(std::string const& folder, bool only_dead_writers) {
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  auto listing_failed = [&] {
    return OutputError(folder, "cannot list the folder to remove stale partial files: " + ec.message());
  };
  if (ec) throw listing_failed();
  std::size_t removed = 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    fs::path const& path = it->path();
    long const pid = partial_writer_pid(path.filename().string());
    if (pid == 0) continue;
    if (it->symlink_status(ec).type() != fs::file_type::regular)
      continue;  // a link or folder is no temporary
    if (only_dead_writers && !writer_is_dead(pid)) continue;
    if (fs::remove(path, ec)) {
      ++removed;
    } else if (ec && ec != std::errc::no_such_file_or_directory) {  // gone already: its writer finished
      throw OutputError(path.string(), "cannot remove the stale partial file: " + ec.message());
    }
  }
  if (ec) throw listing_failed();
  return removed;
}

}  // namespace voxflow::io
