#include "io_test_support.hpp"
#include "small_tmpfs.hpp"

#include <voxflow/io/disk_space.hpp>

#include <gtest/gtest.h>

#include <filesystem>

using namespace voxflow::io;
using voxflow::testing::SmallTmpfs;
using voxflow::testing::TempDir;

TEST(DiskSpace, TheTemporaryFolderHasRoom) {
  TempDir dir;
  EXPECT_GT(available_bytes(dir.path().string()), 0u);
  EXPECT_GT(available_bytes(std::filesystem::temp_directory_path().string()), 0u);
  EXPECT_GT(available_bytes(""), 0u);  // the current folder
}

// tmpfs reports its free pages exactly, so the numbers can be compared.
TEST(DiskSpace, APathNotCreatedYetIsMeasuredAtItsNearestExistingAncestor) {
  SmallTmpfs tmpfs;
  VOXFLOW_REQUIRE_SMALL_TMPFS(tmpfs);
  std::uintmax_t const empty = available_bytes(tmpfs.path().string());
  EXPECT_GT(empty, 0u);
  EXPECT_LE(empty, 16u * 1024u);
  EXPECT_EQ(available_bytes(tmpfs.file("sub-01/dce/sub-01_Ktrans.nii.gz")), empty);
  tmpfs.fill(4096);
  EXPECT_EQ(available_bytes(tmpfs.file("sub-01_dce.json")), 4096u);
  EXPECT_EQ(available_bytes(tmpfs.file("filler/below/a/file")), 4096u);
  tmpfs.fill(0);
  EXPECT_EQ(available_bytes(tmpfs.path().string()), 0u);
}
