// Faults at exact moments of a voxflow run, injected from outside the product (LD_PRELOAD): the product has
// no test-only code path. Every call that writes a regular file (or renames one) below VOXFLOW_FAULT_DIR, and
// every read of one, is an "event", numbered from 1 in the order the process makes them; a run with
// --threads 1 makes the same events in the same order every time, so an event number is a reproducible
// moment.
//   VOXFLOW_FAULT_DIR      the folder whose files count (required; nothing happens without it)
//   VOXFLOW_FAULT_LOG      appends "<event> <call> <path>" per event: where each stage's files begin
//   VOXFLOW_FAULT_AT       the event the fault happens at (default: never)
//   VOXFLOW_FAULT_ACTION   at that event: "enospc" (it and every later write fail: a disk that filled up),
//                          "kill" (SIGKILL: kill -9 at that moment), "abort" (abort(): a library
//                          asserting at that moment, as GDCM does on some corrupt files), "remove" (the
//                          folder VOXFLOW_FAULT_REMOVE is deleted, then the call proceeds: the output folder
//                          removed mid-run)
//   VOXFLOW_FAULT_RANK     only the MPI rank of this number (OMPI_COMM_WORLD_RANK) counts events and faults;
//                          every other process, mpiexec itself included, is left alone
//   VOXFLOW_FAULT_TRUNCATE a file cut to half its size just after its VOXFLOW_FAULT_TRUNCATE_READ-th read
//                          (default 1) returns: an input truncated while it is being read;
//                          VOXFLOW_FAULT_TRUNCATED is created once that was done
// Reads count as events only for the log (which gives the file offset after each read, where a second pass
// over a file shows) and for "kill" (input reading is a stage a kill can hit).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long event_count;
static atomic_int disk_full;
static atomic_long victim_reads;

static char const* env(char const* name) {
  char const* value = getenv(name);
  return value && *value ? value : NULL;
}

// The path an open descriptor names, when it is a regular file below VOXFLOW_FAULT_DIR (stdin, stdout and
// stderr never count: the test's logs live in that folder too).
static int watched_fd(int fd, char* path, size_t size) {
  char const* dir = env("VOXFLOW_FAULT_DIR");
  if (!dir || fd <= 2) return 0;
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return 0;
  char link[64];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t const n = readlink(link, path, size - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  return strncmp(path, dir, strlen(dir)) == 0;
}

static int remove_entry(char const* path, struct stat const* info, int type, struct FTW* walk) {
  (void)info, (void)type, (void)walk;
  return remove(path);
}

static void log_event(long event, char const* call, char const* path, long offset) {
  char const* log = env("VOXFLOW_FAULT_LOG");
  if (!log) return;
  char line[4200];
  int const length = snprintf(line, sizeof(line), "%ld %s %s %ld\n", event, call, path, offset);
  int const fd = (int)syscall(SYS_open, log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (syscall(SYS_write, fd, line, (size_t)length) < 0) {
  }
  syscall(SYS_close, fd);
}

// Whether this process is the one VOXFLOW_FAULT_RANK names (every process when it is not set).
static int chosen_rank(void) {
  char const* rank = env("VOXFLOW_FAULT_RANK");
  if (!rank) return 1;
  char const* mine = env("OMPI_COMM_WORLD_RANK");
  return mine && strcmp(mine, rank) == 0;
}

// Counts one event; returns nonzero when the call must fail with ENOSPC.
static int on_event(char const* call, char const* path, int writes, long offset) {
  if (!chosen_rank()) return 0;
  long const event = atomic_fetch_add(&event_count, 1) + 1;
  log_event(event, call, path, offset);
  char const* at = env("VOXFLOW_FAULT_AT");
  char const* action = env("VOXFLOW_FAULT_ACTION");
  if (at && action && event == atol(at)) {
    if (strcmp(action, "kill") == 0) raise(SIGKILL);
    if (strcmp(action, "abort") == 0) abort();
    if (strcmp(action, "enospc") == 0) atomic_store(&disk_full, 1);
    if (strcmp(action, "remove") == 0 && env("VOXFLOW_FAULT_REMOVE"))
      nftw(env("VOXFLOW_FAULT_REMOVE"), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  }
  return writes && atomic_load(&disk_full);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static int write_fails(int fd, char const* call) {
  char path[4096];
  if (!watched_fd(fd, path, sizeof(path))) return 0;
  if (!on_event(call, path, 1, -1)) return 0;
  errno = ENOSPC;
  return 1;
}

ssize_t write(int fd, void const* data, size_t size) {
  if (write_fails(fd, "write")) return -1;
  return REAL(write)(fd, data, size);
}

ssize_t pwrite(int fd, void const* data, size_t size, off_t offset) {
  if (write_fails(fd, "pwrite")) return -1;
  return REAL(pwrite)(fd, data, size, offset);
}

ssize_t pwrite64(int fd, void const* data, size_t size, off_t offset) {
  if (write_fails(fd, "pwrite")) return -1;
  return REAL(pwrite64)(fd, data, size, offset);
}

ssize_t writev(int fd, struct iovec const* parts, int count) {
  if (write_fails(fd, "writev")) return -1;
  return REAL(writev)(fd, parts, count);
}

// libpng writes through stdio, whose own writes happen inside the C library where no preload reaches them.
size_t fwrite(void const* data, size_t size, size_t count, FILE* stream) {
  if (write_fails(fileno(stream), "fwrite")) return 0;
  return REAL(fwrite)(data, size, count, stream);
}

int rename(char const* from, char const* to) {
  char const* dir = env("VOXFLOW_FAULT_DIR");
  if (dir && strncmp(to, dir, strlen(dir)) == 0)
    on_event("rename", to, 0, -1);  // a rename needs no new space
  return REAL(rename)(from, to);
}

ssize_t read(int fd, void* data, size_t size) {
  ssize_t const n = REAL(read)(fd, data, size);
  char path[4096];
  if (!watched_fd(fd, path, sizeof(path))) return n;
  on_event("read", path, 0, (long)lseek(fd, 0, SEEK_CUR));
  char const* victim = env("VOXFLOW_FAULT_TRUNCATE");
  if (!victim || strcmp(path, victim) != 0) return n;
  char const* nth = env("VOXFLOW_FAULT_TRUNCATE_READ");
  if (atomic_fetch_add(&victim_reads, 1) + 1 == (nth ? atol(nth) : 1)) {
    struct stat info;
    if (stat(victim, &info) == 0 && truncate(victim, info.st_size / 2) == 0 && env("VOXFLOW_FAULT_TRUNCATED"))
      syscall(SYS_close, (int)syscall(SYS_open, env("VOXFLOW_FAULT_TRUNCATED"), O_WRONLY | O_CREAT, 0644));
  }
  return n;
}
