// Child processes of the benches that time whole voxflow runs (run, cohort): each command's own wall time,
// CPU time and peak memory, as the kernel counted them for that child and its descendants alone.
#ifndef VOXFLOW_APPS_BENCH_CHILD_PROCESS_HPP
#define VOXFLOW_APPS_BENCH_CHILD_PROCESS_HPP

#include <string>

namespace voxflow::bench {

// One finished child: its wall time, what the kernel counted for it (wait4), and its stdout.
struct ChildRun {
  int code = 0;  // exit code, or 128 + the signal that ended it
  double wall_s = 0.0, cpu_s = 0.0;
  double peak_rss_mib = 0.0;  // the largest of the child and of every descendant it waited for
  std::string output;
};

// Runs `command` with /bin/sh. The shell waits for what it starts, so the kernel's figures for the shell
// include them: a compound command's peak memory is that of its largest process.
ChildRun run_child(std::string const& command);

// `s` in single quotes, for a shell command line (the benches' paths hold no single quote).
std::string shell_quoted(std::string const& s);

// The voxflow executable beside the running voxflow-bench.
std::string default_voxflow();

}  // namespace voxflow::bench

#endif
