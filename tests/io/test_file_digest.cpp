#include "io_test_support.hpp"
#include "small_tmpfs.hpp"  // incompressible_bytes

#include <voxflow/core/errors.hpp>
#include <voxflow/io/file_digest.hpp>

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>

using namespace voxflow::io;
using voxflow::InputError;
using voxflow::testing::expect_error_mentioning;
using voxflow::testing::incompressible_bytes;
using voxflow::testing::TempDir;
using voxflow::testing::write_bytes;

TEST(FileDigest, TheStandardCheckValue) {
  TempDir dir;
  write_bytes(dir.file("check.txt"), {'1', '2', '3', '4', '5', '6', '7', '8', '9'});
  FileDigest const digest = file_digest(dir.file("check.txt"));
  EXPECT_EQ(digest.size, 9u);
  EXPECT_EQ(digest.crc32_hex, "cbf43926");
}

TEST(FileDigest, AnEmptyFileAndAFileOfSeveralBlocks) {
  TempDir dir;
  write_bytes(dir.file("empty"), {});
  EXPECT_EQ(file_digest(dir.file("empty")).size, 0u);
  EXPECT_EQ(file_digest(dir.file("empty")).crc32_hex, "00000000");
  // Larger than one read block, so the CRC is carried across blocks.
  auto const bytes = incompressible_bytes((std::size_t{5} << 20) / 2 + 3);
  write_bytes(dir.file("large.nii"), bytes);
  char expected[9];
  std::snprintf(expected, sizeof(expected), "%08lx",
                crc32(crc32(0L, Z_NULL, 0), bytes.data(), static_cast<uInt>(bytes.size())));
  FileDigest const digest = file_digest(dir.file("large.nii"));
  EXPECT_EQ(digest.size, bytes.size());
  EXPECT_EQ(digest.crc32_hex, expected);
}

TEST(FileDigest, AMissingOrUnreadableFileIsAnInputErrorNamingIt) {
  TempDir dir;
  std::string const missing = dir.file("sub-01_Ktrans.nii.gz");
  expect_error_mentioning<InputError>([&] { file_digest(missing); }, {missing, "No such file or directory"});
  expect_error_mentioning<InputError>([&] { file_digest(dir.path().string()); },
                                      {dir.path().string(), "Is a directory"});
}
