#include "child_process.hpp"
#include "io_test_support.hpp"

#include <voxflow/io/temporary_registry.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace voxflow::io;
using voxflow::testing::ChildProcess;
using voxflow::testing::describe_wait_status;
using voxflow::testing::read_text;
using voxflow::testing::TempDir;

namespace {

// Entries of `dir` whose names contain ".partial-" (AtomicFile temporaries).
std::vector<std::string> partial_files(TempDir const& dir) {
  std::vector<std::string> found;
  for (auto const& name : dir.entries())
    if (name.find(".partial-") != std::string::npos) found.push_back(name);
  return found;
}

}  // namespace

TEST(TemporaryRegistry, SlotsAreTakenAndFreed) {
  std::size_t const before = registered_temporary_count();
  int const a = register_temporary("/tmp/a.partial-1-0.nii");
  int const b = register_temporary("relative/b.partial-1-1.nii");
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  EXPECT_NE(a, b);
  EXPECT_EQ(registered_temporary_count(), before + 2);
  unregister_temporary(a);
  unregister_temporary(a);  // a second release changes nothing
  EXPECT_EQ(registered_temporary_count(), before + 1);
  unregister_temporary(b);
  unregister_temporary(-1);
  EXPECT_EQ(registered_temporary_count(), before);
}

TEST(TemporaryRegistry, EmptyAndOverlongPathsAndAFullRegistryAreRefused) {
  EXPECT_EQ(register_temporary(""), -1);
  EXPECT_EQ(register_temporary("/" + std::string(temporary_registry_path_bytes, 'x')), -1);
  std::vector<int> taken;
  for (int slot; (slot = register_temporary("/tmp/x.partial-1-2.txt")) >= 0;) taken.push_back(slot);
  EXPECT_EQ(registered_temporary_count(), temporary_registry_slots);
  EXPECT_EQ(register_temporary("/tmp/y.partial-1-3.txt"), -1);
  for (int const slot : taken) unregister_temporary(slot);
  int const again = register_temporary("/tmp/y.partial-1-3.txt");
  EXPECT_GE(again, 0);
  unregister_temporary(again);
}

// The child creates three AtomicFiles with data and holds the folder's OutputLock, then signals itself.
class SignalCleanup : public ::testing::TestWithParam<std::pair<char const*, int>> {};

TEST_P(SignalCleanup, RemovesTemporariesAndTheLockAndExitsWith128PlusTheSignal) {
  TempDir dir, logs;
  auto const [name, number] = GetParam();
  ChildProcess child(VOXFLOW_IO_TEST_CHILD, {"cleanup", dir.path().string(), name}, logs.file("stderr"));
  int const status = child.wait();
  ASSERT_TRUE(WIFEXITED(status)) << describe_wait_status(status);
  EXPECT_EQ(WEXITSTATUS(status), 128 + number) << read_text(logs.file("stderr"));
  EXPECT_TRUE(dir.entries().empty()) << "left behind: " << *dir.entries().begin();
  EXPECT_EQ(read_text(logs.file("stderr")),
            "voxflow: interrupted by signal " + std::to_string(number) + "; temporary files removed\n");
}

INSTANTIATE_TEST_SUITE_P(TemporaryRegistry, SignalCleanup,
                         ::testing::Values(std::make_pair("TERM", SIGTERM), std::make_pair("INT", SIGINT),
                                           std::make_pair("HUP", SIGHUP)));

// Shows that the test above would notice: the same child without the cleanup leaves every file behind.
TEST(TemporaryRegistry, WithoutTheCleanupASignalLeavesTheTemporaries) {
  TempDir dir, logs;
  ChildProcess child(VOXFLOW_IO_TEST_CHILD, {"no-cleanup", dir.path().string()}, logs.file("stderr"));
  int const status = child.wait();
  ASSERT_TRUE(WIFSIGNALED(status)) << describe_wait_status(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_EQ(partial_files(dir).size(), 3u);
  EXPECT_EQ(dir.entries().count("voxflow.lock"), 1u);
}

TEST(TemporaryRegistry, AHangupIgnoredBeforeInstallingStaysIgnored) {
  TempDir dir, logs;
  ChildProcess child(VOXFLOW_IO_TEST_CHILD, {"ignored-hup", dir.path().string()}, logs.file("stderr"));
  int const status = child.wait();
  ASSERT_TRUE(WIFEXITED(status)) << describe_wait_status(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(logs.file("stderr"));
  EXPECT_EQ(dir.entries(), std::set<std::string>{"map.nii"});
}

TEST(TemporaryRegistry, WritersOnSeveralThreadsLeaveNoTemporaryWhenTheSignalArrives) {
  for (int run = 0; run < 5; ++run) {
    TempDir dir, logs;
    ChildProcess child(VOXFLOW_IO_TEST_CHILD, {"busy", dir.path().string()}, logs.file("stderr"));
    int const status = child.wait();
    ASSERT_TRUE(WIFEXITED(status)) << describe_wait_status(status);
    EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << read_text(logs.file("stderr"));
    EXPECT_EQ(partial_files(dir), std::vector<std::string>{});
    EXPECT_FALSE(dir.entries().empty()) << "the writers committed nothing before the signal";
  }
}
