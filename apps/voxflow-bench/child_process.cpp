#include "child_process.hpp"

#include <voxflow/core/errors.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace voxflow::bench {

ChildRun run_child(std::string const& command) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw Error(ExitCode::failure, "voxflow-bench: pipe failed");
  std::fflush(stdout);
  auto const start = std::chrono::steady_clock::now();
  pid_t const pid = ::fork();
  if (pid < 0) throw Error(ExitCode::failure, "voxflow-bench: fork failed");
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  ChildRun run;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(pipe_fds[0], buffer, sizeof(buffer))) > 0)
    run.output.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto const seconds = [](timeval const& t) { return static_cast<double>(t.tv_sec) + 1e-6 * t.tv_usec; };
  run.cpu_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  run.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return run;
}

std::string shell_quoted(std::string const& s) {
  return "'" + s + "'";
}

std::string default_voxflow() {
  char self[4096];
  ssize_t const n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  return (std::filesystem::path(std::string(self, n > 0 ? static_cast<std::size_t>(n) : 0)).parent_path() /
          "voxflow")
      .string();
}

}  // namespace voxflow::bench
