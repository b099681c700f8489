// Faults injected into the voxflow executable from outside (preload/fault_preload.c, by LD_PRELOAD): the
// preload's settings for the processes a test starts, the events a run logged (each write, read and rename of
// a file in the test's folder, numbered: reproducible moments with --threads 1), and a fast scratch file
// system for the many runs a fault test makes.
#ifndef VOXFLOW_TESTS_FAULTS_FAULT_INJECTION_HPP
#define VOXFLOW_TESTS_FAULTS_FAULT_INJECTION_HPP

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/mount.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace voxflow::testing {

// One call the preload saw: its number, the call ("write", "pwrite", "writev", "fwrite", "rename", "read"),
// the file, and for a read the file offset after it (-1 otherwise).
struct FaultEvent {
  long number = 0;
  std::string call, path;
  long offset = -1;
  bool writes() const { return call != "read" && call != "rename"; }
};

// The events logged to `log` in order.
inline std::vector<FaultEvent> read_fault_log(std::filesystem::path const& log) {
  std::vector<FaultEvent> events;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    FaultEvent e;
    fields >> e.number >> e.call >> e.path >> e.offset;
    events.push_back(e);
  }
  return events;
}

// The highest event number in `log`, 0 for none: how far a run got. Not the number of lines: threads number
// their events before logging them, so a thread killed at event n can leave n - 1 lines, n among them.
inline std::size_t last_fault_event(std::filesystem::path const& log) {
  long last = 0;
  for (FaultEvent const& e : read_fault_log(log)) last = std::max(last, e.number);
  return static_cast<std::size_t>(last);
}

// The final name a temporary is renamed to ("x.partial-12-3.nii.gz" -> "x.nii.gz"): the file an event
// belongs to.
// (No std::regex: GCC 12's <regex> trips -Wmaybe-uninitialized in the sanitizer build.)
inline std::string final_name(std::string const& path) {
  std::string const tag = ".partial-";
  std::string name = path;
  for (std::size_t at = name.find(tag); at != std::string::npos; at = name.find(tag, at)) {
    std::size_t end = at + tag.size();
    auto digits = [&] {
      std::size_t const first = end;
      while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
      return end > first;
    };
    if (digits() && end < name.size() && name[end] == '-' && (++end, digits()))
      name.erase(at, end - at);
    else
      at += tag.size();
  }
  return name;
}

// The preload's settings (VOXFLOW_FAULT_*) in this process's environment, which ChildProcess passes on, for
// as long as this lives; LD_PRELOAD names the preload. An ASan build checks that its runtime comes first,
// which a preload defeats: that check is turned off, nothing else.
class InjectedFault {
 public:
  explicit InjectedFault(std::vector<std::pair<std::string, std::string>> settings) {
    settings.emplace_back("LD_PRELOAD", VOXFLOW_FAULT_PRELOAD);
    char const* asan = std::getenv("ASAN_OPTIONS");
    settings.emplace_back("ASAN_OPTIONS", std::string(asan ? asan : "") + (asan && *asan ? ":" : "") +
                                              "verify_asan_link_order=0");
    for (auto const& [name, value] : settings) {
      char const* old = std::getenv(name.c_str());
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~InjectedFault() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second)
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      else
        ::unsetenv(it->first.c_str());
    }
  }
  InjectedFault(InjectedFault const&) = delete;
  InjectedFault& operator=(InjectedFault const&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// A tmpfs mounted on `folder` while this lives, when this process may mount one (root): fsync is free there,
// so the dozens of runs of a fault test take a fraction of the time. Elsewhere the folder is used as it is.
class ScratchFileSystem {
 public:
  explicit ScratchFileSystem(std::filesystem::path folder) : folder_(std::move(folder)) {
    mounted_ = ::mount("tmpfs", folder_.c_str(), "tmpfs", 0, "size=256m") == 0;
  }
  // Empties the folder (the mount point itself stays, for the test's own clean-up) and unmounts.
  ~ScratchFileSystem() {
    std::error_code ec;
    for (auto const& e : std::filesystem::directory_iterator(folder_, ec)) std::filesystem::remove_all(e, ec);
    if (mounted_ && ::umount(folder_.c_str()) != 0) ::umount2(folder_.c_str(), MNT_DETACH);
  }
  ScratchFileSystem(ScratchFileSystem const&) = delete;
  ScratchFileSystem& operator=(ScratchFileSystem const&) = delete;

 private:
  std::filesystem::path folder_;
  bool mounted_ = false;
};

}  // namespace voxflow::testing

#endif
