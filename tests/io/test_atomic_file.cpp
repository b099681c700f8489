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
using voxflow::testing::read_text;
using voxflow::testing::SmallTmpfs;
using voxflow::testing::TempDir;

TEST(AtomicFile, WritesTextUnderTheFinalNameOnly) {
  TempDir dir;
  std::string const path = dir.file("sub-01_desc-fit.json");
  write_text_atomically(path, "{\"a\": 1}\n");
  EXPECT_EQ(read_text(path), "{\"a\": 1}\n");
  write_text_atomically(path, "{}\n");  // replaces the older file
  EXPECT_EQ(read_text(path), "{}\n");
  EXPECT_EQ(dir.entries(), std::set<std::string>{"sub-01_desc-fit.json"});
}

// A text larger than the whole disk; then, on a disk filled up but for one page, a text that fits partly and
// one that the old writer buffered in an ofstream: it checked the stream before closing it and renamed the
// 0-byte file that the failing close left, so a full disk produced an empty output under the final name.
TEST(AtomicFile, ATextThatDoesNotFitIsAnOutputErrorAndLeavesNoFile) {
  SmallTmpfs tmpfs;
  VOXFLOW_REQUIRE_SMALL_TMPFS(tmpfs);
  struct Case {
    std::size_t free_bytes, text_bytes;
  };
  for (Case const c : {Case{64 * 1024, 64 * 1024}, Case{4096, 10000}, Case{0, 500}}) {
    if (c.free_bytes < 64 * 1024) tmpfs.fill(c.free_bytes);
    std::string const path = tmpfs.file("sub-01_dce.json");
    expect_error_mentioning<OutputError>([&] { write_text_atomically(path, std::string(c.text_bytes, 'a')); },
                                         {path, "No space left on device"});
    auto entries = tmpfs.entries();
    entries.erase("filler");
    EXPECT_TRUE(entries.empty()) << c.text_bytes << " bytes left " << *entries.begin();
  }
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

TEST(DeferredFolderSync, SyncsEachDeferredFolderOnceAndOthersAtOnce) {
  TempDir dir;
  auto const a = dir.path() / "a";
  auto const b = dir.path() / "b";
  auto const elsewhere = dir.path() / "elsewhere";
  for (auto const& folder : {a, b, elsewhere}) std::filesystem::create_directories(folder);
  {
    DeferredFolderSync deferred({a.string(), (b / "").string()});
    for (int i = 0; i < 3; ++i) {
      write_text_atomically((a / ("map" + std::to_string(i) + ".json")).string(), "{}");
      write_text_atomically((b / ("map" + std::to_string(i) + ".json")).string(), "{}");
    }
    write_text_atomically((elsewhere / "ledger.tsv").string(), "subject\n");
    EXPECT_EQ(deferred.flush(), 2u);  // a and b once each; elsewhere was synced by its commit
    EXPECT_EQ(deferred.flush(), 0u);
    write_text_atomically((a / "late.json").string(), "{}");
    EXPECT_EQ(deferred.flush(), 1u);
    EXPECT_THROW(DeferredFolderSync({a.string()}), std::logic_error);
  }
  EXPECT_EQ(read_text(a / "map2.json"), "{}");
  DeferredFolderSync again({a.string()});  // the first scope has ended
  EXPECT_EQ(again.flush(), 0u);
}
