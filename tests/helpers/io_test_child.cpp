// A child process for the I/O tests (tests/io/test_temporary_registry.cpp, test_output_lock.cpp). Signal
// cleanup ends the process and an output lock must be held by another process, so both need a process of
// their own; the test binary runs Kokkos threads, and a plain fork of it could inherit a lock (malloc's, a
// stream's) held by one of them. The tests start this program with posix_spawn instead.
//
//   io_test_child cleanup <folder> <signal>  installs the signal cleanup, creates AtomicFiles and an
//                                            OutputLock in <folder>, then raises <signal> (INT, TERM, HUP)
//   io_test_child no-cleanup <folder>        the same without the cleanup, killed by SIGTERM
//   io_test_child ignored-hup <folder>       ignores SIGHUP, installs the cleanup, raises SIGHUP, exits 0
//   io_test_child busy <folder>              threads write AtomicFiles in a loop until SIGTERM arrives
//   io_test_child hold-lock <lock file>      holds an OutputLock, says "locked" on stdout, and releases it
//                                            when stdin closes
#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/output_lock.hpp>
#include <voxflow/io/temporary_registry.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace io = voxflow::io;

namespace {

constexpr int unexpected_survival = 3;  // exit status when a signal that should end the process did not

int signal_named(std::string const& name) {
  if (name == "INT") return SIGINT;
  if (name == "TERM") return SIGTERM;
  if (name == "HUP") return SIGHUP;
  return 0;
}

// Three AtomicFiles with data in their temporaries, plus the folder's lock; false when a file is missing.
bool open_outputs(std::string const& folder, std::vector<std::unique_ptr<io::AtomicFile>>& files,
                  std::unique_ptr<io::OutputLock>& lock) {
  lock = std::make_unique<io::OutputLock>(folder + "/voxflow.lock");
  for (char const* name : {"sub-01_Ktrans.nii.gz", "sub-01_ve.nii.gz", "sub-01_dce.json"}) {
    std::string const path = folder + "/" + name;
    files.push_back(std::make_unique<io::AtomicFile>(path, path.substr(path.find('.'))));
    std::ofstream(files.back()->temp_path()) << "partial data";
    if (::access(files.back()->temp_path().c_str(), F_OK) != 0) return false;
  }
  return ::access(lock->path().c_str(), F_OK) == 0;
}

int raise_with_outputs(std::string const& folder, int signal_number, bool cleanup) {
  if (cleanup) io::install_signal_cleanup();
  std::vector<std::unique_ptr<io::AtomicFile>> files;
  std::unique_ptr<io::OutputLock> lock;
  if (!open_outputs(folder, files, lock)) return 2;
  ::kill(::getpid(), signal_number);
  return unexpected_survival;
}

int ignored_hangup(std::string const& folder) {
  ::signal(SIGHUP, SIG_IGN);  // as under nohup
  io::install_signal_cleanup();
  io::AtomicFile file(folder + "/map.nii", ".nii");
  std::ofstream(file.temp_path()) << "data";
  ::kill(::getpid(), SIGHUP);
  file.commit();
  return 0;
}

// Writers on several threads keep registering and unregistering temporaries while the signal arrives.
int busy(std::string const& folder) {
  io::install_signal_cleanup();
  std::atomic<long> written{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&, t] {
      for (long i = 0;; ++i) {
        try {
          io::AtomicFile file(folder + "/t" + std::to_string(t) + "-" + std::to_string(i % 8) + ".txt",
                              ".txt");
          std::ofstream(file.temp_path()) << i;
          if (i % 2 == 0) file.commit();  // the odd ones are discarded by the destructor
          ++written;
        } catch (voxflow::OutputError const&) {
          // The handler removed this temporary before its commit: expected while the process ends.
        }
      }
    });
  while (written < 200) std::this_thread::yield();
  ::kill(::getpid(), SIGTERM);
  for (auto& w : writers) w.join();  // never returns: the handler ends the process
  return unexpected_survival;
}

int hold_lock(std::string const& lock_path) {
  io::OutputLock lock(lock_path);
  std::cout << "locked" << std::endl;
  char c;
  while (::read(STDIN_FILENO, &c, 1) > 0) {
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> const args(argv + 1, argv + argc);
  try {
    if (args.size() == 3 && args[0] == "cleanup" && signal_named(args[2]) != 0)
      return raise_with_outputs(args[1], signal_named(args[2]), true);
    if (args.size() == 2 && args[0] == "no-cleanup") return raise_with_outputs(args[1], SIGTERM, false);
    if (args.size() == 2 && args[0] == "ignored-hup") return ignored_hangup(args[1]);
    if (args.size() == 2 && args[0] == "busy") return busy(args[1]);
    if (args.size() == 2 && args[0] == "hold-lock") return hold_lock(args[1]);
  } catch (voxflow::Error const& e) {
    std::cerr << e.what() << "\n";
    return static_cast<int>(e.code());
  }
  std::cerr << "usage: io_test_child cleanup|no-cleanup|ignored-hup|busy|hold-lock <path> [INT|TERM|HUP]\n";
  return 2;
}
