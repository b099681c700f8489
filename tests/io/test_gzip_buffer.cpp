// The fast inflate path itself (src/io/gzip_buffer.hpp, private to the library): the public readers fall
// back to zlib's stream whenever it says "not read", so their tests pass whether or not it ever reads
// anything. Here it must read what gzip writers produce, across its 1 MiB input pieces and gzip members,
// and refuse (empty buffer) every file that is not exactly the data the caller expects.
#include "io/gzip_buffer.hpp"
#include "io_test_support.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

using voxflow::io::detail::gzip_compress;
using voxflow::io::detail::inflate_gzip_file;
using voxflow::testing::TempDir;
using voxflow::testing::write_bytes;

namespace {

// Bytes that deflate poorly (as noisy image data does), so that the compressed file spans several pieces.
std::vector<unsigned char> noise(std::size_t n, std::uint32_t seed) {
  std::vector<unsigned char> bytes(n);
  std::uint32_t x = seed;
  for (auto& b : bytes) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<unsigned char>((x >> 24) & 0x3f);  // 6 random bits a byte: ~25 % smaller, never stored
  }
  return bytes;
}

// `data` as gzip members, one per part of `parts` bytes, alternating libdeflate and zlib as writers.
std::vector<unsigned char> members(std::vector<unsigned char> const& data, std::size_t part) {
  std::vector<unsigned char> file;
  for (std::size_t begin = 0, k = 0; begin < data.size(); begin += part, ++k) {
    std::size_t const n = std::min(part, data.size() - begin);
    std::vector<unsigned char> member;
    if (k % 2 == 0) {
      member = gzip_compress(data.data() + begin, n, 1);
    } else {
      z_stream z{};
      EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
      member.resize(deflateBound(&z, n));
      z.next_in = const_cast<unsigned char*>(data.data() + begin);
      z.avail_in = static_cast<uInt>(n);
      z.next_out = member.data();
      z.avail_out = static_cast<uInt>(member.size());
      EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
      member.resize(z.total_out);
      deflateEnd(&z);
    }
    file.insert(file.end(), member.begin(), member.end());
  }
  return file;
}

std::vector<unsigned char> inflated(std::string const& path, std::size_t expected) {
  auto const buffer = inflate_gzip_file(path, expected);
  return {buffer.data(), buffer.data() + buffer.size()};
}

}  // namespace

TEST(GzipBuffer, OneMemberSpanningManyInputPiecesIsReadExactly) {
  TempDir dir;
  auto const data = noise(5'000'000, 1);
  auto const file = members(data, data.size());
  ASSERT_GT(file.size(), std::size_t{3} << 20) << "the file must span several 1 MiB input pieces";
  write_bytes(dir.file("one.gz"), file);
  auto const got = inflated(dir.file("one.gz"), data.size());
  ASSERT_EQ(got.size(), data.size() + 1) << "not read by the fast path";
  EXPECT_TRUE(std::equal(data.begin(), data.end(), got.begin()));
}

TEST(GzipBuffer, MembersEndingAnywhereInAPieceAreReadInOrder) {
  TempDir dir;
  auto const data = noise(3'000'000, 2);
  // Member sizes that put member boundaries (and trailers) at many offsets inside the input pieces.
  for (std::size_t const part :
       {std::size_t{1}, std::size_t{4093}, std::size_t{700'001}, std::size_t{1} << 20}) {
    auto const small = part == 1 ? std::vector<unsigned char>(data.begin(), data.begin() + 3000) : data;
    write_bytes(dir.file("m.gz"), members(small, part));
    auto const got = inflated(dir.file("m.gz"), small.size());
    ASSERT_EQ(got.size(), small.size() + 1) << "members of " << part << " bytes: not read";
    EXPECT_TRUE(std::equal(small.begin(), small.end(), got.begin())) << "members of " << part << " bytes";
  }
}

TEST(GzipBuffer, AnythingButExactlyTheExpectedDataIsNotRead) {
  TempDir dir;
  auto const data = noise(2'500'000, 3);
  auto const good = members(data, 1'000'000);
  auto refused = [&](std::vector<unsigned char> const& file, std::size_t expected, char const* what) {
    write_bytes(dir.file("bad.gz"), file);
    EXPECT_EQ(inflate_gzip_file(dir.file("bad.gz"), expected).size(), 0u) << what;
  };
  write_bytes(dir.file("good.gz"), good);
  ASSERT_EQ(inflate_gzip_file(dir.file("good.gz"), data.size()).size(), data.size() + 1);

  refused(good, data.size() - 1, "more data than expected");
  refused(good, data.size() + 1, "less data than expected");
  auto crc = good;
  crc[crc.size() - 6] ^= 0x5a;  // the last member's CRC-32
  refused(crc, data.size(), "a wrong CRC-32");
  auto length = good;
  length[length.size() - 4] ^= 0x01;  // the last member's ISIZE (its length mod 2^32)
  refused(length, data.size(), "a wrong length in the trailer");
  auto body = good;
  body[body.size() / 2] ^= 0x10;  // inside a compressed block
  refused(body, data.size(), "corrupt compressed data");
  refused(std::vector<unsigned char>(good.begin(), good.end() - 3), data.size(), "a truncated trailer");
  refused(std::vector<unsigned char>(good.begin(), good.begin() + good.size() / 2), data.size(),
          "truncated data");
  auto garbage = good;
  garbage.insert(garbage.end(), {'n', 'o', 't', ' ', 'g', 'z'});
  refused(garbage, data.size(), "trailing bytes that are no gzip member");
  refused(std::vector<unsigned char>(data.begin(), data.begin() + 100), 100, "not gzip at all");
  refused({0x1f}, 1, "one byte");
  EXPECT_EQ(inflate_gzip_file(dir.file("absent.gz"), 10).size(), 0u) << "no file";
}
