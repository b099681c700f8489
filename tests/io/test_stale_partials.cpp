#include "child_process.hpp"
#include "io_test_support.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/stale_partials.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace voxflow::io;
using voxflow::OutputError;
using voxflow::testing::ChildProcess;
using voxflow::testing::expect_error_mentioning;
using voxflow::testing::TempDir;

namespace {

// The pid of a process that has ended (the helper called without arguments exits at once).
long dead_pid(TempDir const& logs) {
  ChildProcess child(VOXFLOW_IO_TEST_CHILD, {}, logs.file("stderr"));
  child.wait();
  return child.pid();
}

void touch(std::string const& path) {
  std::ofstream(path) << "x";
}

std::string partial_name(std::string const& stem, long pid, std::string const& extension) {
  return stem + ".partial-" + std::to_string(pid) + "-0" + extension;
}

}  // namespace

TEST(StalePartials, TheWriterPidIsReadFromAtomicFileTemporaryNames) {
  TempDir dir;
  AtomicFile file(dir.file("sub-01_Ktrans.nii.gz"), ".nii.gz");
  EXPECT_EQ(partial_writer_pid(std::filesystem::path(file.temp_path()).filename().string()), ::getpid());
  EXPECT_EQ(partial_writer_pid("t1map.partial-1234-0.nii.gz"), 1234);
  EXPECT_EQ(partial_writer_pid(".bidsignore.partial-77-12"), 77);
  EXPECT_EQ(partial_writer_pid("odd.partial-x-1.partial-5-6.json"), 5);
  for (char const* not_one : {"t1map.nii.gz", "a.partial-.txt", "a.partial-12.txt", "a.partial-12-.txt",
                              "a.partial-0-1.txt", "a.partial-99999999999-1.txt", "a.partial12-1.txt"})
    EXPECT_EQ(partial_writer_pid(not_one), 0) << not_one;
}

TEST(StalePartials, WithoutTheLiveCheckEveryPartialFileInTheFolderGoes) {
  TempDir dir, logs;
  long const dead = dead_pid(logs);
  touch(dir.file(partial_name("ktrans", ::getpid(), ".nii.gz")));
  touch(dir.file(partial_name("ve", dead, ".nii")));
  touch(dir.file("ktrans.nii.gz"));
  std::filesystem::create_directory(dir.file(partial_name("folder", dead, "")));
  touch(dir.file(partial_name("folder", dead, "") + "/" + partial_name("nested", dead, ".json")));
  std::filesystem::create_symlink(dir.file("ktrans.nii.gz"), dir.file(partial_name("link", dead, ".nii.gz")));
  EXPECT_EQ(remove_stale_partials(dir.path().string(), false), 2u);
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"ktrans.nii.gz", partial_name("folder", dead, ""),
                                                  partial_name("link", dead, ".nii.gz")}));
  EXPECT_EQ(remove_stale_partials(dir.path().string(), false), 0u);
}

TEST(StalePartials, OnlyFilesOfWritersThatNoLongerExistGoWhenAsked) {
  TempDir dir, logs;
  long const dead = dead_pid(logs);
  std::string const mine = partial_name("ktrans", ::getpid(), ".nii.gz");
  std::string const init = partial_name("ve", 1, ".nii.gz");  // pid 1 always exists
  touch(dir.file(mine));
  touch(dir.file(init));
  touch(dir.file(partial_name("kep", dead, ".nii.gz")));
  EXPECT_EQ(remove_stale_partials(dir.path().string(), true), 1u);
  EXPECT_EQ(dir.entries(), (std::set<std::string>{mine, init}));
}

// A run killed without the signal cleanup leaves its temporaries; the next run clears them.
TEST(StalePartials, TheTemporariesOfAKilledRunAreCleared) {
  TempDir dir, logs;
  ChildProcess child(VOXFLOW_IO_TEST_CHILD, {"no-cleanup", dir.path().string()}, logs.file("stderr"));
  child.wait();
  EXPECT_EQ(remove_stale_partials(dir.path().string(), true), 3u);
  EXPECT_EQ(dir.entries(), std::set<std::string>{"voxflow.lock"});
}

TEST(StalePartials, AMissingFolderIsAnOutputErrorNamingIt) {
  TempDir dir;
  std::string const missing = dir.file("no-such-folder");
  expect_error_mentioning<OutputError>([&] { remove_stale_partials(missing, true); },
                                       {missing, "No such file or directory"});
}
