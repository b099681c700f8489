#include "child_process.hpp"
#include "io_test_support.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/output_lock.hpp>
#include <voxflow/io/temporary_registry.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

using namespace voxflow::io;
using voxflow::OutputError;
using voxflow::testing::ChildProcess;
using voxflow::testing::describe_wait_status;
using voxflow::testing::expect_error_mentioning;
using voxflow::testing::read_text;
using voxflow::testing::TempDir;

namespace {

std::string host_name() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  return host;
}

}  // namespace

TEST(OutputLock, RecordsTheHolderAndRemovesTheFileOnRelease) {
  TempDir dir;
  std::string const path = dir.file("voxflow.lock");
  std::size_t const registered = registered_temporary_count();
  {
    OutputLock lock(path);
    EXPECT_EQ(lock.path(), path);
    EXPECT_EQ(read_text(path), std::to_string(::getpid()) + " " + host_name() + "\n");
    EXPECT_EQ(registered_temporary_count(), registered + 1);  // removed by the signal cleanup too
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(registered_temporary_count(), registered);
}

TEST(OutputLock, ASecondLockOnTheSamePathFailsNamingTheHolder) {
  TempDir dir;
  std::string const path = dir.file("voxflow.lock");
  OutputLock first(path);
  expect_error_mentioning<OutputError>(
      [&] { OutputLock second(path); },
      {path, "another voxflow run (pid " + std::to_string(::getpid()) + " on host " + host_name() + ")",
       "wait for it or remove the lock file if no such run exists"});
  EXPECT_TRUE(std::filesystem::exists(path));  // the failed attempt leaves the holder's file alone
}

TEST(OutputLock, AfterTheHolderIsDestroyedANewLockSucceeds) {
  TempDir dir;
  std::string const path = dir.file("voxflow.lock");
  { OutputLock first(path); }
  OutputLock second(path);
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(OutputLock, AMovedLockKeepsHoldingAndReleasesOnce) {
  TempDir dir;
  std::string const path = dir.file("voxflow.lock");
  OutputLock moved = [&] {
    OutputLock original(path);
    return OutputLock(std::move(original));
  }();
  EXPECT_THROW(OutputLock{path}, OutputError);
  OutputLock other(dir.file("other.lock"));
  other = std::move(moved);  // releases other.lock, takes over voxflow.lock
  EXPECT_FALSE(std::filesystem::exists(dir.file("other.lock")));
  EXPECT_THROW(OutputLock{path}, OutputError);
  EXPECT_EQ(other.path(), path);
}

// A run killed by SIGKILL leaves its lock file, but the kernel dropped the flock: the next run takes over.
TEST(OutputLock, AFileLeftByADeadRunDoesNotBlock) {
  TempDir dir;
  std::string const path = dir.file("voxflow.lock");
  std::ofstream(path) << "999999999 elsewhere\n";
  OutputLock lock(path);
  EXPECT_EQ(read_text(path), std::to_string(::getpid()) + " " + host_name() + "\n");
}

// The holder's file was removed by hand and a second run locked a new one: releasing the first lock must not
// remove the second run's file.
TEST(OutputLock, ReleaseLeavesALockFileThatReplacedItsOwn) {
  TempDir dir;
  std::string const path = dir.file("voxflow.lock");
  auto first = std::make_unique<OutputLock>(path);
  std::filesystem::remove(path);
  OutputLock second(path);
  first.reset();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_THROW(OutputLock{path}, OutputError);
}

TEST(OutputLock, ALockInAMissingFolderIsAnOutputErrorNamingIt) {
  TempDir dir;
  std::string const path = dir.file("missing/voxflow.lock");
  expect_error_mentioning<OutputError>([&] { OutputLock lock(path); }, {path, "No such file or directory"});
}

TEST(OutputLock, AnotherProcessHoldingTheLockBlocksThisOne) {
  TempDir dir, logs;
  std::string const path = dir.file("voxflow.lock");
  ChildProcess child(VOXFLOW_IO_TEST_CHILD, {"hold-lock", path}, logs.file("stderr"));
  ASSERT_EQ(child.read_line(), "locked") << read_text(logs.file("stderr"));
  expect_error_mentioning<OutputError>(
      [&] { OutputLock lock(path); },
      {path, "another voxflow run (pid " + std::to_string(child.pid()) + " on host " + host_name() + ")"});
  child.close_stdin();  // the child releases its lock and ends
  int const status = child.wait();
  ASSERT_TRUE(WIFEXITED(status)) << describe_wait_status(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(logs.file("stderr"));
  EXPECT_FALSE(std::filesystem::exists(path));
  OutputLock lock(path);
}

// Threads that take and release the lock as fast as they can: the holder's unlink races with the others'
// open and flock, and only the identity check after locking keeps two holders apart.
TEST(OutputLock, NeverTwoHoldersWhileReleasesRaceWithAcquisitions) {
  TempDir dir;
  std::string const path = dir.file("voxflow.lock");
  std::atomic<int> holders{0}, most{0}, acquired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 3000; ++i) {
        try {
          OutputLock lock(path);
          int const now = ++holders;
          for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
          }
          ++acquired;
          std::this_thread::yield();
          --holders;
        } catch (OutputError const&) {
          // held by another thread
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(most.load(), 1);
  EXPECT_GT(acquired.load(), 0);
  EXPECT_FALSE(std::filesystem::exists(path));
}
