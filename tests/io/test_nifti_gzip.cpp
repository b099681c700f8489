// The fast gzip paths of .nii.gz files (ISA-L inflate, libdeflate deflate): maps they write are gzip any
// reader takes (zlib, nibabel) at every level, they read what other writers produce (several gzip members),
// and read_nifti_voxels gives exactly the values read_nifti gives, on the fast path and on the streaming
// fallback.
#include "io_test_support.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace voxflow::io;
using voxflow::InputError;
using voxflow::OutputError;
using voxflow::testing::read_bytes;
using voxflow::testing::TempDir;
using voxflow::testing::write_bytes;

namespace {

std::vector<double> wave(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = 100.0 * std::sin(0.37 * static_cast<double>(i)) + 0.01 * i;
  return v;
}

// The whole decompressed content of a gzip file through zlib's own reader.
std::vector<unsigned char> zlib_inflate(std::string const& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  EXPECT_NE(f, nullptr);
  std::vector<unsigned char> out;
  unsigned char buffer[1 << 14];
  int got = 0;
  while ((got = gzread(f, buffer, sizeof(buffer))) > 0) out.insert(out.end(), buffer, buffer + got);
  EXPECT_EQ(got, 0) << "zlib: stream error";
  gzclose(f);
  return out;
}

// `bytes` as consecutive gzip members split at `cuts`, each written by zlib (as pigz or cat'ed files give).
void write_multi_member(std::string const& path, std::vector<unsigned char> const& bytes,
                        std::vector<std::size_t> const& cuts) {
  std::vector<unsigned char> file;
  std::size_t begin = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (std::size_t end : ends) {
    std::string const member = path + ".member";
    gzFile f = gzopen(member.c_str(), "wb6");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, bytes.data() + begin, static_cast<unsigned>(end - begin)),
              static_cast<int>(end - begin));
    gzclose(f);
    auto const part = read_bytes(member);
    file.insert(file.end(), part.begin(), part.end());
    std::remove(member.c_str());
    begin = end;
  }
  write_bytes(path, file);
}

// Volume by volume, in index order; every (voxel, volume) handed over exactly once.
std::vector<double> voxels_of(std::string const& path, std::vector<int64_t> const& index) {
  auto const volumes = static_cast<std::size_t>(read_nifti_header(path).dims[3]);
  std::vector<double> got(index.size() * volumes, std::nan(""));
  std::vector<int> seen(got.size(), 0);
  read_nifti_voxels(path, index, [&](std::size_t first, std::size_t count, int64_t t, double const* values) {
    ASSERT_LE(first + count, index.size());
    for (std::size_t v = 0; v < count; ++v) {
      got[static_cast<std::size_t>(t) * index.size() + first + v] = values[v];
      ++seen[static_cast<std::size_t>(t) * index.size() + first + v];
    }
  });
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<long>(seen.size()));
  return got;
}

// What read_nifti_voxels must give: read_nifti's values at `index`, volume by volume.
std::vector<double> expected_voxels(std::string const& path, std::vector<int64_t> const& index) {
  NiftiImage const image = read_nifti(path);
  std::vector<double> out;
  for (int64_t t = 0; t < image.dims[3]; ++t)
    for (int64_t i : index)
      out.push_back(image.data[static_cast<std::size_t>(i + t * image.voxels_per_volume())]);
  return out;
}

}  // namespace

TEST(NiftiGzip, MapsAtEveryLevelAreGzipThatZlibReadsByteForByte) {
  TempDir dir;
  auto const values = wave(7 * 5 * 3);
  write_nifti(dir.file("plain.nii"), make_geometry({2, 2, 3}), {7, 5, 3}, values);
  auto const plain = read_bytes(dir.file("plain.nii"));
  for (int level : {1, 6, 12}) {
    SCOPED_TRACE("level " + std::to_string(level));
    NiftiWriteOptions options;
    options.gzip_level = level;
    std::string const path = dir.file("map" + std::to_string(level) + ".nii.gz");
    write_nifti(path, make_geometry({2, 2, 3}), {7, 5, 3}, values, options);
    EXPECT_EQ(zlib_inflate(path), plain);
    EXPECT_EQ(read_nifti(path).data, read_nifti(dir.file("plain.nii")).data);
  }
  NiftiWriteOptions bad;
  bad.gzip_level = 13;
  EXPECT_THROW(
      write_nifti(dir.file("bad.nii.gz"), make_geometry({1, 1, 1}), {1, 1, 1}, std::vector<double>{1.0}, bad),
      OutputError);
}

// nibabel (Debian python3-nibabel, which the project installs for the system python3) is the reader most
// users check maps with.
TEST(NiftiGzip, NibabelReadsTheMapsWritten) {
  if (std::system("/usr/bin/python3 -c 'import nibabel' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-nibabel is not installed";
  TempDir dir;
  std::vector<double> values = wave(4 * 3 * 2);
  std::string const path = dir.file("map.nii.gz");
  write_nifti(path, make_geometry({1, 1, 1}), {4, 3, 2}, values);
  // nibabel's sum of the map, to float32 precision, must equal ours.
  double sum = 0.0;
  for (double v : values) sum += static_cast<float>(v);
  std::string const check =
      "/usr/bin/python3 -c \"import nibabel, sys; d = nibabel.load(sys.argv[1]).get_fdata(); "
      "sys.exit(0 if d.shape == (4, 3, 2) and abs(d.sum() - " +
      std::to_string(sum) + ") < 1e-3 else 1)\" '" + path + "'";
  EXPECT_EQ(std::system(check.c_str()), 0) << check;
}

TEST(NiftiGzip, MultiMemberFilesAreReadWhole) {
  TempDir dir;
  std::array<int64_t, 4> const dims = {6, 5, 4, 3};
  auto const values = wave(6 * 5 * 4 * 3);
  write_nifti_4d(dir.file("series.nii"), make_geometry({1, 1, 1}, 2.0), dims, values);
  auto const plain = read_bytes(dir.file("series.nii"));
  // Cuts inside the header, inside the data and on a volume boundary.
  write_multi_member(dir.file("members.nii.gz"), plain, {100, 352 + 6 * 5 * 4 * 4, plain.size() - 7});
  EXPECT_EQ(zlib_inflate(dir.file("members.nii.gz")), plain);
  EXPECT_EQ(read_nifti(dir.file("members.nii.gz")).data, read_nifti(dir.file("series.nii")).data);
  std::vector<int64_t> const index = {0, 7, 8, 119, 42};
  EXPECT_EQ(voxels_of(dir.file("members.nii.gz"), index), expected_voxels(dir.file("series.nii"), index));
}

TEST(NiftiGzip, ChosenVoxelsAreExactlyWhatReadNiftiGives) {
  TempDir dir;
  std::array<int64_t, 4> const dims = {5, 4, 3, 6};
  auto const values = wave(5 * 4 * 3 * 6);
  std::vector<int64_t> const index = {59, 0, 3, 17, 18, 44};
  for (auto const type : {NiftiDatatype::float32, NiftiDatatype::float64, NiftiDatatype::int16}) {
    for (std::string const ext : {".nii", ".nii.gz"}) {
      SCOPED_TRACE(datatype_name(static_cast<int>(type)) + ext);
      NiftiWriteOptions options;
      options.datatype = type;
      if (type == NiftiDatatype::int16) options.scl_slope = 0.01, options.scl_inter = 3.0;
      std::string const path = dir.file("s" + std::to_string(static_cast<int>(type)) + ext);
      write_nifti_4d(path, make_geometry({1, 1, 1}, 1.0), dims, values, options);
      auto const got = voxels_of(path, index);
      EXPECT_EQ(got, expected_voxels(path, index));
      EXPECT_EQ(got.size(), index.size() * 6);
    }
  }
  // A .hdr/.img pair takes the streaming reader: the same values.
  write_nifti_4d(dir.file("p.nii"), make_geometry({1, 1, 1}, 1.0), dims, values);
  auto bytes = read_bytes(dir.file("p.nii"));
  std::vector<unsigned char> header(bytes.begin(), bytes.begin() + 348);
  std::memcpy(header.data() + 344, "ni1", 4);
  float const zero = 0.0f;
  std::memcpy(header.data() + 108, &zero, 4);  // vox_offset
  write_bytes(dir.file("p.hdr"), header);
  write_bytes(dir.file("p.img"), std::vector<unsigned char>(bytes.begin() + 352, bytes.end()));
  EXPECT_EQ(voxels_of(dir.file("p.hdr"), index), expected_voxels(dir.file("p.nii"), index));
  EXPECT_THROW(voxels_of(dir.file("p.nii"), {5 * 4 * 3}), InputError);
}

TEST(NiftiGzip, ACorruptChecksumIsStillAnInputError) {
  TempDir dir;
  write_nifti_4d(dir.file("s.nii.gz"), make_geometry({1, 1, 1}, 1.0), {3, 3, 3, 2}, wave(54));
  auto bytes = read_bytes(dir.file("s.nii.gz"));
  bytes[bytes.size() - 6] ^= 0x5a;  // inside the CRC-32 of the trailer
  write_bytes(dir.file("crc.nii.gz"), bytes);
  EXPECT_THROW(read_nifti(dir.file("crc.nii.gz")), InputError);
  EXPECT_THROW(voxels_of(dir.file("crc.nii.gz"), {0, 1}), InputError);
}

// More voxels than one block, ascending as masks give them: the stored bytes are released behind the blocks
// while later blocks still read theirs.
TEST(NiftiGzip, ManyBlocksOfAscendingVoxelsReadEveryValue) {
  TempDir dir;
  std::array<int64_t, 4> const dims = {40, 40, 2, 3};
  auto const values = wave(40 * 40 * 2 * 3);
  std::vector<int64_t> index;
  for (int64_t i = 0; i < 40 * 40 * 2; ++i)
    if (i % 3 != 0) index.push_back(i);
  for (std::string const ext : {".nii", ".nii.gz"}) {
    SCOPED_TRACE(ext);
    std::string const path = dir.file("big" + ext);
    write_nifti_4d(path, make_geometry({1, 1, 1}, 1.0), dims, values);
    EXPECT_EQ(voxels_of(path, index), expected_voxels(path, index));
  }
}
