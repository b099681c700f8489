// Cleanup of temporary files when a run is interrupted (DESIGN.md §3, restart). AtomicFile keeps a subject's
// outputs complete or absent, but only its destructor removes the temporary file, and SIGINT (Ctrl-C),
// SIGTERM (a batch system's time limit, scancel) or SIGHUP end the process without running destructors. Every
// live temporary file and every held output lock file is therefore recorded in a process-wide registry that
// the signal handler installed by install_signal_cleanup() can walk. The registry is a fixed array of slots
// updated with atomics only: registering allocates nothing and takes no lock, so the handler may read it at
// any moment (async-signal-safe), also while another thread is registering.
#ifndef VOXFLOW_IO_TEMPORARY_REGISTRY_HPP
#define VOXFLOW_IO_TEMPORARY_REGISTRY_HPP

#include <cstddef>
#include <string>

namespace voxflow::io {

// How many paths can be registered at once, and the longest path (in bytes) a slot holds.
inline constexpr std::size_t temporary_registry_slots = 128;
inline constexpr std::size_t temporary_registry_path_bytes = 4096;

// Records `path` for removal by the signal handler and returns the slot to pass to unregister_temporary(),
// or -1 when the path is empty, too long or every slot is taken (the file then works as before but is not
// removed on a signal; remove_stale_partials() finds it later). With `guard_fd` (an open descriptor of the
// file), the handler removes the path only while it still names that same file: a lock file that someone
// else has replaced is left alone. Only the registering process removes the path (a forked child does not).
int register_temporary(std::string const& path, int guard_fd = -1) noexcept;

// Frees a slot returned by register_temporary(); -1 is ignored.
void unregister_temporary(int slot) noexcept;

// How many paths are registered now (for tests and diagnostics).
std::size_t registered_temporary_count() noexcept;

// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove every registered path, write
// "voxflow: interrupted by signal N; temporary files removed" to stderr and end the process with _exit(128 +
// N), the exit status a shell reports for a process killed by signal N. A signal that is ignored when this is
// called (SIGHUP under nohup, SIGINT in a background job) stays ignored. Idempotent and thread-safe; call it
// early in main(), before threads start. Replaces any earlier handlers for these signals. Other threads go on
// running while the handler works, so it first makes every further register_temporary() call wait for the
// end, removes what is registered, gives writers that registered a file but had not created it yet 10 ms,
// and removes again; only a writer stalled longer than that between registering and creating its file can
// leave a temporary behind (remove_stale_partials() clears it on the next run).
void install_signal_cleanup();

}  // namespace voxflow::io

#endif
