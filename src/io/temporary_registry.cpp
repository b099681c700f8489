// The registry behind install_signal_cleanup() (temporary_registry.hpp). A signal handler may run on any
// thread between any two instructions, so everything it touches is either an atomic that is always lock-free
// or data published by one: a slot's path, guard descriptor and owner are written while its state says
// "claiming" and read by the handler only after it has seen "live" and moved the slot to "cleaning", which no
// other thread can undo or reuse. The handler itself calls only async-signal-safe functions (stat, fstat,
// getpid, unlink, nanosleep, write, pause, _exit).
#include "file_identity.hpp"

#include <voxflow/io/temporary_registry.hpp>

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace voxflow::io {

namespace {

enum SlotState : int { slot_free = 0, slot_claiming = 1, slot_live = 2, slot_cleaning = 3 };

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs lock-free atomics");

struct Slot {
  std::atomic<int> state{slot_free};
  int guard_fd = -1;
  pid_t owner = 0;
  char path[temporary_registry_path_bytes] = {};
};

Slot slots[temporary_registry_slots];
std::atomic<bool> cleanup_started{false};

// Other threads keep running while the handler sweeps the slots, and a writer may create its temporary file
// a moment after registering it. So the handler first stops new registrations, sweeps, gives the writers that
// registered already this long to create their files, and sweeps again.
constexpr long grace_nanoseconds = 10 * 1000 * 1000;

// Writes `path` into `out` as an absolute path (a later chdir must not change what the handler removes),
// without allocating. False when it does not fit.
bool store_absolute(std::string const& path, char* out) noexcept {
  std::size_t used = 0;
  if (path[0] != '/') {
    if (::getcwd(out, temporary_registry_path_bytes) == nullptr) return false;
    used = std::strlen(out);
    if (used == 0 || out[used - 1] != '/') out[used++] = '/';
  }
  if (used + path.size() + 1 > temporary_registry_path_bytes) return false;
  std::memcpy(out + used, path.c_str(), path.size() + 1);
  return true;
}

// Appends the decimal digits of `value` (non-negative) to `out` at `*length`.
void append_number(char* out, std::size_t* length, int value) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < 12);
  while (n > 0) out[(*length)++] = digits[--n];
}

void append_text(char* out, std::size_t* length, char const* text) {
  while (*text != '\0') out[(*length)++] = *text++;
}

// Removes the files of every live slot this process registered, leaving the slots in "cleaning" so that no
// other thread frees or reuses them meanwhile.
void sweep() {
  pid_t const self = ::getpid();
  for (auto& slot : slots) {
    int expected = slot_live;
    if (!slot.state.compare_exchange_strong(expected, slot_cleaning) && expected != slot_cleaning) continue;
    if (slot.owner != self) continue;  // inherited through fork: the parent's files, not ours
    if (slot.guard_fd >= 0 && !detail::path_names_open_file(slot.path, slot.guard_fd)) continue;
    ::unlink(slot.path);
  }
}

void on_cleanup_signal(int signal_number) {
  // A second signal on another thread waits for the first handler to end the process.
  if (cleanup_started.exchange(true)) {
    for (;;) ::pause();
  }
  sweep();
  struct timespec grace = {0, grace_nanoseconds};
  while (::nanosleep(&grace, &grace) != 0 && errno == EINTR) {
  }
  sweep();
  char message[96];
  std::size_t length = 0;
  append_text(message, &length, "voxflow: interrupted by signal ");
  append_number(message, &length, signal_number);
  append_text(message, &length, "; temporary files removed\n");
  ssize_t const written = ::write(STDERR_FILENO, message, length);
  (void)written;  // nothing more can be done about a closed stderr
  ::_exit(128 + signal_number);
}

}  // namespace

int register_temporary(std::string const& path, int guard_fd) noexcept {
  if (path.empty() || path.size() >= temporary_registry_path_bytes) return -1;
  for (std::size_t i = 0; i < temporary_registry_slots; ++i) {
    Slot& slot = slots[i];
    int expected = slot_free;
    if (!slot.state.compare_exchange_strong(expected, slot_claiming, std::memory_order_acquire)) continue;
    if (!store_absolute(path, slot.path)) {
      slot.state.store(slot_free, std::memory_order_release);
      return -1;
    }
    slot.guard_fd = guard_fd;
    slot.owner = ::getpid();
    slot.state.store(slot_live, std::memory_order_seq_cst);
    // Paired with the handler's exchange (both sequentially consistent): either the handler's sweep sees this
    // slot, or this thread sees that the cleanup has started and creates no more files.
    if (cleanup_started.load(std::memory_order_seq_cst)) {
      for (;;) ::pause();
    }
    return static_cast<int>(i);
  }
  return -1;
}

void unregister_temporary(int slot) noexcept {
  if (slot < 0 || static_cast<std::size_t>(slot) >= temporary_registry_slots) return;
  int expected = slot_live;
  // Fails only while the handler is cleaning this slot; the process is ending then anyway.
  slots[slot].state.compare_exchange_strong(expected, slot_free, std::memory_order_release);
}

std::size_t registered_temporary_count() noexcept {
  std::size_t n = 0;
  for (auto const& slot : slots) n += slot.state.load(std::memory_order_acquire) == slot_live;
  return n;
}

void install_signal_cleanup() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_handler = on_cleanup_signal;
    sigemptyset(&action.sa_mask);
    int const signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (int const s : signals) sigaddset(&action.sa_mask, s);  // one cleanup per thread at a time
    for (int const s : signals) {
      struct sigaction previous;
      if (::sigaction(s, nullptr, &previous) == 0 && previous.sa_handler == SIG_IGN) continue;
      ::sigaction(s, &action, nullptr);
    }
  });
}

}  // namespace voxflow::io
