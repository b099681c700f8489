#include "io_test_support.hpp"
#include "small_tmpfs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/temporary_registry.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace voxflow::io;
using voxflow::OutputError;
using voxflow::testing::expect_error_mentioning;
using voxflow::testing::read_bytes;
using voxflow::testing::SmallTmpfs;
using voxflow::testing::TempDir;

namespace {

std::string read_text(std::string const& path) {
  auto const bytes = read_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

TEST(AtomicFile, WritesTextUnderTheFinalNameOnly) {
  TempDir dir;
  std::string const path = dir.file("sub-01_desc-fit.json");
  write_text_atomically(path, "{\"a\": 1}\n");
  EXPECT_EQ(read_text(path), "{\"a\": 1}\n");
  write_text_atomically(path, "{}\n");  // replaces the older file
  EXPECT_EQ(read_text(path), "{}\n");
  EXPECT_EQ(dir.entries(), std::set<std::string>{"sub-01_desc-fit.json"});
}

TEST(AtomicFile, TextLargerThanTheDiskIsAnOutputErrorAndLeavesNoFile) {
  SmallTmpfs tmpfs;
  VOXFLOW_REQUIRE_SMALL_TMPFS(tmpfs);
  std::string const path = tmpfs.file("report.tsv");
  std::string const text(64 * 1024, 'a');
  expect_error_mentioning<OutputError>([&] { write_text_atomically(path, text); },
                                       {path, "No space left on device"});
  EXPECT_TRUE(tmpfs.entries().empty()) << "left behind: " << *tmpfs.entries().begin();
}

// The old writer buffered small texts in an ofstream, checked the stream before closing it and renamed the
// 0-byte file that the failing close left: a full disk produced an empty output under the final name.
TEST(AtomicFile, ASmallTextOnANearlyFullDiskFailsInsteadOfLeavingAnEmptyFile) {
  SmallTmpfs tmpfs;
  VOXFLOW_REQUIRE_SMALL_TMPFS(tmpfs);
  tmpfs.fill(0);
  std::string const path = tmpfs.file("sub-01_dce.json");
  expect_error_mentioning<OutputError>([&] { write_text_atomically(path, std::string(500, 'b')); },
                                       {path, "No space left on device"});
  EXPECT_EQ(tmpfs.entries(), std::set<std::string>{"filler"});
}

TEST(AtomicFile, ATextThatFitsPartlyLeavesNeitherTheFinalNameNorAPartialFile) {
  SmallTmpfs tmpfs;
  VOXFLOW_REQUIRE_SMALL_TMPFS(tmpfs);
  tmpfs.fill(4096);
  std::string const path = tmpfs.file("timing.tsv");
  expect_error_mentioning<OutputError>([&] { write_text_atomically(path, std::string(10000, 'c')); },
                                       {path, "No space left on device"});
  EXPECT_EQ(tmpfs.entries(), std::set<std::string>{"filler"});
}

TEST(AtomicFile, CommittingATemporaryThatWasNeverWrittenIsAnError) {
  TempDir dir;
  std::string const path = dir.file("map.nii");
  AtomicFile file(path, ".nii");
  expect_error_mentioning<OutputError>([&] { file.commit(); }, {path, "No such file or directory"});
  EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicFile, TheTemporaryIsRegisteredForSignalCleanupUntilCommitOrDiscard) {
  TempDir dir;
  std::size_t const before = registered_temporary_count();
  {
    AtomicFile committed(dir.file("a.txt"), ".txt");
    AtomicFile discarded(dir.file("b.txt"), ".txt");
    EXPECT_EQ(registered_temporary_count(), before + 2);
    std::ofstream(committed.temp_path()) << "a";
    committed.commit();
    EXPECT_EQ(registered_temporary_count(), before + 1);
    discarded.discard();
    EXPECT_EQ(registered_temporary_count(), before);
  }
  {
    AtomicFile abandoned(dir.file("c.txt"), ".txt");
    EXPECT_EQ(registered_temporary_count(), before + 1);
  }
  EXPECT_EQ(registered_temporary_count(), before);
  EXPECT_EQ(dir.entries(), std::set<std::string>{"a.txt"});
}
