#include "io_test_support.hpp"
#include "small_tmpfs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <gtest/gtest.h>
#include <nifti/nifti1.h>
#include <nifti/nifti2.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <ostream>
#include <vector>

using namespace voxflow::io;
using voxflow::InputError;
using voxflow::OutputError;
using voxflow::testing::expect_error_mentioning;
using voxflow::testing::incompressible_bytes;
using voxflow::testing::read_bytes;
using voxflow::testing::SmallTmpfs;
using voxflow::testing::TempDir;
using voxflow::testing::write_bytes;

// Lets GoogleTest print geometries field by field when a comparison fails.
namespace voxflow::io {
void PrintTo(NiftiGeometry const& g, std::ostream* os) {
  *os << std::setprecision(17) << "{pixdim";
  for (double p : g.pixdim) *os << ' ' << p;
  *os << "; qform " << g.qform_code << ' ' << g.quatern_b << ' ' << g.quatern_c << ' ' << g.quatern_d << ' '
      << g.qoffset_x << ' ' << g.qoffset_y << ' ' << g.qoffset_z << " qfac " << g.qfac << "; sform "
      << g.sform_code;
  for (auto const& row : g.srow)
    for (double v : row) *os << ' ' << v;
  *os << "; units " << g.xyz_units << '/' << g.time_units << "; dims " << g.freq_dim << g.phase_dim
      << g.slice_dim << "; slice " << g.slice_code << ' ' << g.slice_start << ' ' << g.slice_end << ' '
      << g.slice_duration << "; toffset " << g.toffset << "; dt " << g.time_step_s
      << (g.time_unit_assumed ? " (assumed s)" : "") << "; intent " << g.intent_code << ' ' << g.intent_p1
      << ' ' << g.intent_p2 << ' ' << g.intent_p3 << " '" << g.intent_name << "'; '" << g.description << "'}";
}
}  // namespace voxflow::io

namespace {

// An oblique acquisition: every geometry field set to something other than its default.
NiftiGeometry oblique_geometry() {
  NiftiGeometry g;
  g.pixdim = {-1.0, 1.875, 1.875, 5.5, 3.25, 0.0, 0.0, 0.0};
  g.qfac = -1.0;
  g.qform_code = 1;
  g.quatern_b = 0.1;
  g.quatern_c = -0.2;
  g.quatern_d = 0.3;
  g.qoffset_x = -119.5;
  g.qoffset_y = 87.25;
  g.qoffset_z = -40.125;
  g.sform_code = 2;
  g.srow = {{{1.8, 0.1, -0.3, -120.0}, {-0.05, 1.85, 0.2, 88.0}, {0.25, -0.15, 5.4, -41.0}}};
  g.xyz_units = 2;   // mm
  g.time_units = 8;  // s
  g.freq_dim = 1;
  g.phase_dim = 2;
  g.slice_dim = 3;
  g.slice_code = 3;  // sequential increasing... any valid code
  g.slice_start = 0;
  g.slice_end = 4;
  g.slice_duration = 0.065;
  g.toffset = 1.5;
  g.time_step_s = 3.25;
  g.intent_code = 1002;
  g.intent_p1 = 0.5;
  g.intent_p2 = 2.0;
  g.intent_p3 = -1.0;
  g.intent_name = "perfusion";
  g.description = "voxflow test geometry";
  return g;
}

// What a NIfTI-1 file stores: every real number rounded to float.
NiftiGeometry rounded_to_float(NiftiGeometry g) {
  // volatile: GCC 12.2 at -O3 with AVX2 vectorizes the srow loop below and drops the float round trip for its
  // last row (a miscompile reproduced outside voxflow); the volatile store keeps the rounding.
  auto f = [](double& v) {
    volatile float rounded = static_cast<float>(v);
    v = static_cast<double>(rounded);
  };
  for (auto& p : g.pixdim) f(p);
  for (auto& row : g.srow)
    for (auto& v : row) f(v);
  for (double* v : {&g.quatern_b, &g.quatern_c, &g.quatern_d, &g.qoffset_x, &g.qoffset_y, &g.qoffset_z,
                    &g.slice_duration, &g.toffset, &g.intent_p1, &g.intent_p2, &g.intent_p3})
    f(*v);
  g.time_step_s = g.pixdim[4];
  return g;
}

std::vector<double> ramp(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = 0.001 * static_cast<double>(i * i) - 3.3 + 1e-9 * static_cast<double>(i);
  return v;
}

// The raw header bytes of a .nii or .nii.gz file (decompressed).
std::vector<unsigned char> header_bytes(std::string const& path, std::size_t n) {
  gzFile f = gzopen(path.c_str(), "rb");
  std::vector<unsigned char> bytes(n);
  int const got = gzread(f, bytes.data(), static_cast<unsigned>(n));
  gzclose(f);
  bytes.resize(static_cast<std::size_t>(std::max(got, 0)));
  return bytes;
}

}  // namespace

TEST(NiftiImage, RoundTrips3dFloatAndDoubleThroughNiiAndNiiGz) {
  TempDir dir;
  std::array<int64_t, 3> const dims = {5, 4, 3};
  auto const values = ramp(60);
  NiftiGeometry const geometry = oblique_geometry();
  for (std::string const ext : {".nii", ".nii.gz"}) {
    for (auto const type : {NiftiDatatype::float32, NiftiDatatype::float64}) {
      SCOPED_TRACE(ext + " " + datatype_name(static_cast<int>(type)));
      std::string const path = dir.file("map" + ext);
      NiftiWriteOptions options;
      options.datatype = type;
      write_nifti(path, geometry, dims, values, options);
      NiftiImage const image = read_nifti(path);
      EXPECT_EQ(image.path, path);
      EXPECT_EQ(image.dims, (std::array<int64_t, 4>{5, 4, 3, 1}));
      ASSERT_EQ(image.data.size(), values.size());
      for (std::size_t i = 0; i < values.size(); ++i) {
        double const expected = type == NiftiDatatype::float32 ? static_cast<float>(values[i]) : values[i];
        ASSERT_EQ(image.data[i], expected) << "voxel " << i;
      }
      EXPECT_EQ(image.geometry, rounded_to_float(geometry));
      EXPECT_EQ(read_nifti_header(path).datatype, static_cast<int>(type));
    }
  }
  // The file is compressed exactly when the name says so.
  auto const gz = read_bytes(dir.file("map.nii.gz"));
  ASSERT_GE(gz.size(), 2u);
  EXPECT_EQ(gz[0], 0x1f);
  EXPECT_EQ(gz[1], 0x8b);
  EXPECT_EQ(read_bytes(dir.file("map.nii")).size(), 352u + 60u * 8u);
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"map.nii", "map.nii.gz"}));
}

TEST(NiftiImage, GeometryReadFromNifti1IsPreservedExactlyOnRewrite) {
  TempDir dir;
  auto const values = ramp(24);
  write_nifti(dir.file("a.nii.gz"), oblique_geometry(), {2, 3, 4}, values);
  NiftiImage const first = read_nifti(dir.file("a.nii.gz"));
  write_nifti(dir.file("b.nii"), first.geometry, {2, 3, 4}, first.data);
  NiftiImage const second = read_nifti(dir.file("b.nii"));
  EXPECT_EQ(second.geometry, first.geometry);
  EXPECT_EQ(second.data, first.data);
  EXPECT_TRUE(same_grid(first.geometry, first.dims, second.geometry, second.dims, 0.0));
}

TEST(NiftiImage, HeaderFieldsSitWhereTheStandardPutsThem) {
  TempDir dir;
  NiftiGeometry const g = oblique_geometry();
  write_nifti(dir.file("h.nii.gz"), g, {5, 4, 3}, ramp(60));
  auto const bytes = header_bytes(dir.file("h.nii.gz"), 352);
  ASSERT_EQ(bytes.size(), 352u);
  nifti_1_header h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  EXPECT_EQ(h.sizeof_hdr, 348);
  EXPECT_EQ(std::string(h.magic), "n+1");
  EXPECT_EQ(h.vox_offset, 352.0f);
  EXPECT_EQ(h.dim[0], 3);
  EXPECT_EQ(h.dim[1], 5);
  EXPECT_EQ(h.dim[3], 3);
  EXPECT_EQ(h.datatype, DT_FLOAT32);
  EXPECT_EQ(h.bitpix, 32);
  EXPECT_EQ(h.pixdim[0], -1.0f);
  EXPECT_EQ(h.pixdim[3], 5.5f);
  EXPECT_EQ(h.qform_code, 1);
  EXPECT_EQ(h.sform_code, 2);
  EXPECT_EQ(h.quatern_c, -0.2f);
  EXPECT_EQ(h.srow_y[3], 88.0f);
  EXPECT_EQ(h.xyzt_units, 2 | 8);
  EXPECT_EQ(h.dim_info, 1 | (2 << 2) | (3 << 4));
  EXPECT_EQ(h.intent_code, 1002);
  EXPECT_EQ(std::string(h.intent_name), "perfusion");
  EXPECT_EQ(std::string(h.descrip), "voxflow test geometry");
  EXPECT_EQ(h.scl_slope, 1.0f);
}

TEST(NiftiImage, RoundTrips4dAndConvertsTheTimeStepToSeconds) {
  TempDir dir;
  NiftiGeometry g = make_geometry({2.0, 2.0, 3.0}, 0.0);
  g.pixdim[4] = 1500.0;  // ms
  g.time_units = 16;
  std::array<int64_t, 4> const dims = {3, 2, 2, 7};
  std::vector<float> values(84);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.25f * static_cast<float>(i) - 4.0f;
  write_nifti_4d(dir.file("series.nii.gz"), g, dims, values);
  NiftiImage const image = read_nifti(dir.file("series.nii.gz"));
  EXPECT_EQ(image.dims, dims);
  EXPECT_DOUBLE_EQ(image.geometry.time_step_s, 1.5);
  EXPECT_FALSE(image.geometry.time_unit_assumed);
  EXPECT_EQ(image.geometry.pixdim[4], 1500.0);
  ASSERT_EQ(image.data.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(image.data[i], values[i]);
  EXPECT_EQ(image.data[image.index(2, 1, 1, 6)], values[2 + 3 * (1 + 2 * (1 + 2 * 6))]);
  EXPECT_EQ(read_nifti_header(dir.file("series.nii.gz")).dims, dims);
}

TEST(NiftiImage, Nifti2KeepsDoublePrecisionGeometry) {
  TempDir dir;
  NiftiGeometry g = oblique_geometry();
  g.srow[0][3] = -120.123456789012;  // not representable as float
  g.qoffset_y = 87.000000001;
  NiftiWriteOptions options;
  options.nifti_version = 2;
  options.datatype = NiftiDatatype::float64;
  std::array<int64_t, 4> const dims = {4, 3, 2, 5};
  auto const values = ramp(120);
  write_nifti_4d(dir.file("n2.nii.gz"), g, dims, values, options);
  NiftiHeaderInfo const info = read_nifti_header(dir.file("n2.nii.gz"));
  EXPECT_EQ(info.nifti_version, 2);
  EXPECT_EQ(info.geometry, g);
  NiftiImage const image = read_nifti(dir.file("n2.nii.gz"));
  EXPECT_EQ(image.data, values);
  auto const bytes = header_bytes(dir.file("n2.nii.gz"), 544);
  nifti_2_header h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  EXPECT_EQ(h.sizeof_hdr, 540);
  EXPECT_EQ(h.vox_offset, 544);
  EXPECT_EQ(h.dim[4], 5);
  EXPECT_EQ(h.srow_x[3], -120.123456789012);
}

TEST(NiftiImage, AppliesSlopeAndInterceptOfIntegerData) {
  TempDir dir;
  NiftiWriteOptions options;
  options.datatype = NiftiDatatype::int16;
  options.scl_slope = 0.5;
  options.scl_inter = -10.0;
  std::vector<double> const values = {-10.0, -9.5, 0.0, 100.3, 16373.5, -16394.0};
  write_nifti(dir.file("s.nii"), make_geometry({1, 1, 1}), {6, 1, 1}, values, options);
  auto const bytes = read_bytes(dir.file("s.nii"));
  nifti_1_header h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  EXPECT_EQ(h.datatype, DT_INT16);
  EXPECT_EQ(h.scl_slope, 0.5f);
  EXPECT_EQ(h.scl_inter, -10.0f);
  std::vector<int16_t> stored(6);
  std::memcpy(stored.data(), bytes.data() + 352, 12);
  EXPECT_EQ(stored, (std::vector<int16_t>{0, 1, 20, 221, 32767, -32768}));
  NiftiImage const image = read_nifti(dir.file("s.nii"));
  EXPECT_EQ(image.data, (std::vector<double>{-10.0, -9.5, 0.0, 100.5, 16373.5, -16394.0}));
  // uint8 with a slope of 0 means "no scaling".
  options.datatype = NiftiDatatype::uint8;
  options.scl_slope = 1.0;
  options.scl_inter = 0.0;
  write_nifti(dir.file("u.nii.gz"), make_geometry({1, 1, 1}), {3, 1, 1}, std::vector<double>{0, 7, 255},
              options);
  EXPECT_EQ(read_nifti(dir.file("u.nii.gz")).data, (std::vector<double>{0, 7, 255}));
}

TEST(NiftiImage, ReadsBigEndianFiles) {
  TempDir dir;
  NiftiWriteOptions options;
  options.datatype = NiftiDatatype::int16;
  options.scl_slope = 2.0;
  write_nifti(dir.file("le.nii"), oblique_geometry(), {3, 1, 1}, std::vector<double>{2, -4, 600}, options);
  auto bytes = read_bytes(dir.file("le.nii"));
  nifti_1_header h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  // Swap every header field (the layout comes from nifti1.h) and every 2-byte value.
  auto swap = [](auto& v) {
    auto* p = reinterpret_cast<unsigned char*>(&v);
    std::reverse(p, p + sizeof(v));
  };
  swap(h.sizeof_hdr);
  for (auto& d : h.dim) swap(d);
  for (auto& p : h.pixdim) swap(p);
  for (auto* f : {&h.intent_p1, &h.intent_p2, &h.intent_p3, &h.vox_offset, &h.scl_slope, &h.scl_inter,
                  &h.cal_max, &h.cal_min, &h.slice_duration, &h.toffset, &h.quatern_b, &h.quatern_c,
                  &h.quatern_d, &h.qoffset_x, &h.qoffset_y, &h.qoffset_z})
    swap(*f);
  for (int i = 0; i < 4; ++i) swap(h.srow_x[i]), swap(h.srow_y[i]), swap(h.srow_z[i]);
  for (auto* s :
       {&h.intent_code, &h.datatype, &h.bitpix, &h.slice_start, &h.slice_end, &h.qform_code, &h.sform_code})
    swap(*s);
  std::memcpy(bytes.data(), &h, sizeof(h));
  for (std::size_t i = 352; i + 1 < bytes.size(); i += 2) std::swap(bytes[i], bytes[i + 1]);
  write_bytes(dir.file("be.nii"), bytes);
  NiftiImage const big = read_nifti(dir.file("be.nii"));
  EXPECT_EQ(big.data, (std::vector<double>{2, -4, 600}));
  EXPECT_EQ(big.geometry, read_nifti(dir.file("le.nii")).geometry);
}

TEST(NiftiImage, SkipsHeaderExtensionsAndReadsHdrImgPairs) {
  TempDir dir;
  std::vector<double> const values = {1.5, -2.0, 3.25, 8.0};
  write_nifti(dir.file("plain.nii"), oblique_geometry(), {2, 2, 1}, values);
  auto const bytes = read_bytes(dir.file("plain.nii"));
  nifti_1_header h;
  std::memcpy(&h, bytes.data(), sizeof(h));

  // A single file with one 16-byte extension between the header and the data.
  nifti_1_header extended = h;
  extended.vox_offset = 368.0f;
  std::vector<unsigned char> with_extension(sizeof(h));
  std::memcpy(with_extension.data(), &extended, sizeof(h));
  unsigned char const extension[20] = {1, 0, 0, 0, 16, 0, 0, 0, 6, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 0, 0, 0};
  with_extension.insert(with_extension.end(), extension, extension + 20);
  with_extension.insert(with_extension.end(), bytes.begin() + 352, bytes.end());
  write_bytes(dir.file("extended.nii"), with_extension);
  EXPECT_EQ(read_nifti(dir.file("extended.nii")).data, values);

  // The two-file form: header in .hdr (magic "ni1"), data at vox_offset 0 of the .img.
  nifti_1_header pair = h;
  std::memcpy(pair.magic, "ni1", 4);
  pair.vox_offset = 0.0f;
  std::vector<unsigned char> header(sizeof(h));
  std::memcpy(header.data(), &pair, sizeof(h));
  write_bytes(dir.file("pair.hdr"), header);
  write_bytes(dir.file("pair.img"), std::vector<unsigned char>(bytes.begin() + 352, bytes.end()));
  NiftiImage const image = read_nifti(dir.file("pair.hdr"));
  EXPECT_EQ(image.data, values);
  EXPECT_EQ(image.geometry, read_nifti(dir.file("plain.nii")).geometry);
  std::filesystem::remove(dir.file("pair.img"));
  expect_error_mentioning<InputError>([&] { read_nifti(dir.file("pair.hdr")); },
                                      {"pair.img", "does not exist"});
}

TEST(NiftiImage, HeaderIsReadWithoutTheData) {
  TempDir dir;
  write_nifti(dir.file("h.nii.gz"), oblique_geometry(), {5, 4, 3}, ramp(60));
  NiftiHeaderInfo const info = read_nifti_header(dir.file("h.nii.gz"));
  EXPECT_EQ(info.nifti_version, 1);
  EXPECT_EQ(info.dims, (std::array<int64_t, 4>{5, 4, 3, 1}));
  EXPECT_EQ(info.datatype, DT_FLOAT32);
  EXPECT_EQ(info.geometry, rounded_to_float(oblique_geometry()));
}

TEST(NiftiImage, MalformedInputsThrowInputErrorNamingTheFile) {
  TempDir dir;
  std::string const missing = dir.file("missing.nii.gz");
  expect_error_mentioning<InputError>([&] { read_nifti(missing); }, {missing, "does not exist"});
  expect_error_mentioning<InputError>([&] { read_nifti_header(missing); }, {missing});
  expect_error_mentioning<InputError>([&] { read_nifti(dir.path().string()); }, {"not a file"});

  std::string const text = dir.file("notes.nii");
  std::ofstream(text)
      << "subject,age\nsub-01,42\nthis is a CSV file, not an image at all; long enough for a header"
      << std::string(400, 'x') << "\n";
  expect_error_mentioning<InputError>([&] { read_nifti(text); }, {text, "sizeof_hdr"});
  std::string const empty = dir.file("empty.nii.gz");
  write_bytes(empty, {});
  expect_error_mentioning<InputError>([&] { read_nifti(empty); }, {empty, "too short"});

  // A valid compressed file cut in half: the header survives, the data do not.
  std::string const whole = dir.file("whole.nii.gz");
  write_nifti(whole, make_geometry({1, 1, 1}), {16, 16, 8}, ramp(2048));
  auto bytes = read_bytes(whole);
  bytes.resize(bytes.size() / 2);
  std::string const truncated = dir.file("truncated.nii.gz");
  write_bytes(truncated, bytes);
  expect_error_mentioning<InputError>([&] { read_nifti(truncated); }, {truncated, "dim"});
  EXPECT_NO_THROW(read_nifti_header(truncated));  // header validation alone cannot see it
  // A gzip stream with flipped bytes in the middle.
  bytes = read_bytes(whole);
  for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 16; ++i) bytes[i] ^= 0x5a;
  std::string const corrupt = dir.file("corrupt.nii.gz");
  write_bytes(corrupt, bytes);
  EXPECT_THROW(read_nifti(corrupt), InputError);
}

TEST(NiftiImage, HeaderThatDisagreesWithTheDataIsRefused) {
  TempDir dir;
  std::string const good = dir.file("good.nii");
  write_nifti(good, make_geometry({1, 1, 1}), {4, 4, 4}, ramp(64));
  auto const original = read_bytes(good);
  auto patched = [&](std::string const& name, auto&& edit) {
    auto bytes = original;
    nifti_1_header h;
    std::memcpy(&h, bytes.data(), sizeof(h));
    edit(h);
    std::memcpy(bytes.data(), &h, sizeof(h));
    std::string const path = dir.file(name);
    write_bytes(path, bytes);
    return path;
  };
  std::string const too_big = patched("too_big.nii", [](nifti_1_header& h) { h.dim[3] = 5; });
  expect_error_mentioning<InputError>([&] { read_nifti(too_big); }, {too_big, "truncated"});
  std::string const too_small = patched("too_small.nii", [](nifti_1_header& h) { h.dim[3] = 3; });
  expect_error_mentioning<InputError>([&] { read_nifti(too_small); }, {too_small, "holds more"});
  std::string const zero = patched("zero.nii", [](nifti_1_header& h) { h.dim[2] = 0; });
  expect_error_mentioning<InputError>([&] { read_nifti_header(zero); }, {zero, "dim[2]"});
  std::string const complex = patched("complex.nii", [](nifti_1_header& h) {
    h.datatype = DT_COMPLEX64;
    h.bitpix = 64;
  });
  expect_error_mentioning<InputError>([&] { read_nifti(complex); }, {complex, "complex64"});
  std::string const five_d = patched("five.nii", [](nifti_1_header& h) {
    h.dim[0] = 5;
    h.dim[3] = 2;
    h.dim[4] = 1;
    h.dim[5] = 2;
  });
  expect_error_mentioning<InputError>([&] { read_nifti(five_d); }, {five_d, "3-D or 4-D"});
  std::string const analyze = patched("analyze.nii", [](nifti_1_header& h) { std::memset(h.magic, 0, 4); });
  expect_error_mentioning<InputError>([&] { read_nifti(analyze); }, {analyze, "magic"});
}

// A gzip file of `bytes` (compressed the way a .nii.gz is).
void write_gzip(std::string const& path, std::vector<unsigned char> const& bytes) {
  gzFile f = gzopen(path.c_str(), "wb6");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

TEST(NiftiImage, AHeaderClaimingMoreDataThanTheFileCanHoldIsRefusedBeforeAnyAllocation) {
  TempDir dir;
  std::string const good = dir.file("good.nii");
  write_nifti(good, make_geometry({1, 1, 1}), {4, 4, 4}, ramp(64));
  nifti_1_header h;
  std::memcpy(&h, read_bytes(good).data(), sizeof(h));
  std::vector<unsigned char> header(sizeof(h) + 4, 0);  // the header and its 4-byte extension flag, no data
  auto claim = [&](std::string const& name, std::array<int, 4> dims) {
    h.dim[0] = 4;
    for (int i = 0; i < 4; ++i) h.dim[i + 1] = static_cast<short>(dims[static_cast<std::size_t>(i)]);
    h.datatype = DT_INT16;
    h.bitpix = 16;
    std::memcpy(header.data(), &h, sizeof(h));
    std::string const path = dir.file(name);
    write_gzip(path, header);
    return path;
  };
  // About 100 bytes claiming 1024x512x16x80 int16 voxels (1.3 GB): refused from the header alone.
  std::string const huge = claim("huge.nii.gz", {1024, 512, 16, 80});
  EXPECT_LT(std::filesystem::file_size(huge), 200u);
  expect_error_mentioning<InputError>([&] { read_nifti_header(huge); }, {huge, "dim", "gzip file can hold"});
  expect_error_mentioning<InputError>([&] { read_nifti(huge); }, {huge, "dim", "gzip file can hold"});
  // The same claim in a plain file is measured against its size exactly.
  std::string const plain = dir.file("huge.nii");
  write_bytes(plain, header);
  expect_error_mentioning<InputError>([&] { read_nifti_header(plain); },
                                      {plain, "dim", "the file has 352 bytes"});
}

TEST(NiftiImage, DimensionProductsThatWouldOverflowAreRefused) {
  TempDir dir;
  std::string const good = dir.file("good.nii");
  NiftiWriteOptions nifti2;
  nifti2.nifti_version = 2;
  write_nifti(good, make_geometry({1, 1, 1}), {4, 4, 4}, ramp(64), nifti2);
  auto bytes = read_bytes(good);
  nifti_2_header h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  // 2^20 * 2^20 * 2^24 * 64 wraps a 64-bit product around to 0.
  h.dim[0] = 4;
  h.dim[1] = int64_t{1} << 20;
  h.dim[2] = int64_t{1} << 20;
  h.dim[3] = int64_t{1} << 24;
  h.dim[4] = 64;
  std::memcpy(bytes.data(), &h, sizeof(h));
  std::string const wraps = dir.file("wraps.nii");
  write_bytes(wraps, bytes);
  expect_error_mentioning<InputError>([&] { read_nifti_header(wraps); }, {wraps, "at most 2^40 voxels"});
}

TEST(NiftiImage, FailedWritesLeaveNothingUnderTheFinalName) {
  TempDir dir;
  auto const values = ramp(8);
  std::array<int64_t, 3> const dims = {2, 2, 2};
  NiftiGeometry const g = make_geometry({1, 1, 1});
  std::string const in_missing_folder = dir.file("no/such/folder/map.nii.gz");
  expect_error_mentioning<OutputError>([&] { write_nifti(in_missing_folder, g, dims, values); },
                                       {in_missing_folder, "does not exist"});
  std::filesystem::create_directory(dir.file("taken.nii.gz"));
  expect_error_mentioning<OutputError>([&] { write_nifti(dir.file("taken.nii.gz"), g, dims, values); },
                                       {"taken.nii.gz", "folder"});
  write_bytes(dir.file("plain_file"), {1, 2, 3});
  EXPECT_THROW(write_nifti(dir.file("plain_file/map.nii"), g, dims, values), OutputError);
  EXPECT_THROW(write_nifti(dir.file("map.img"), g, dims, values), OutputError);
  EXPECT_THROW(write_nifti(dir.file("short.nii"), g, dims, std::vector<double>(7)), OutputError);
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"taken.nii.gz", "plain_file"}));

  // A failure in the middle of the data (a value int16 cannot hold) keeps the previous complete file.
  std::string const map = dir.file("map.nii.gz");
  write_nifti(map, g, dims, values);
  NiftiWriteOptions int16;
  int16.datatype = NiftiDatatype::int16;
  std::vector<double> bad = values;
  bad[5] = 1e9;
  expect_error_mentioning<OutputError>([&] { write_nifti(map, g, dims, bad, int16); }, {map, "int16"});
  bad[5] = std::nan("");
  EXPECT_THROW(write_nifti(map, g, dims, bad, int16), OutputError);
  auto const kept = read_nifti(map).data;
  ASSERT_EQ(kept.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(kept[i], static_cast<double>(static_cast<float>(values[i])));
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"taken.nii.gz", "plain_file", "map.nii.gz"}));
}

// 64 KiB of noise on a 16 KiB disk: the data fail at a write or when zlib flushes its buffer at the close.
// Either way the previous complete file stays, and no empty or partial file appears.
TEST(NiftiImage, AFullDiskIsAnOutputErrorAndKeepsThePreviousFile) {
  SmallTmpfs tmpfs;
  VOXFLOW_REQUIRE_SMALL_TMPFS(tmpfs);
  NiftiGeometry const g = make_geometry({1, 1, 1});
  std::vector<double> noise;
  for (unsigned char const b : incompressible_bytes(64 * 64 * 4)) noise.push_back(b);
  for (char const* name : {"ktrans.nii", "ktrans.nii.gz"}) {
    std::string const path = tmpfs.file(name);
    NiftiWriteOptions options;
    options.datatype = NiftiDatatype::float32;
    expect_error_mentioning<OutputError>(
        [&] {
          write_nifti(path, g, {64, 64, 4}, noise, options);
        },
        {path, "No space left on device"});
    EXPECT_TRUE(tmpfs.entries().empty()) << name << " left " << *tmpfs.entries().begin();
  }
  std::string const kept = tmpfs.file("ve.nii.gz");
  write_nifti(kept, g, {2, 2, 2}, ramp(8));
  EXPECT_THROW(write_nifti(kept, g, {64, 64, 4}, noise), OutputError);
  EXPECT_EQ(read_nifti(kept).data.size(), 8u);
  EXPECT_EQ(tmpfs.entries(), std::set<std::string>{"ve.nii.gz"});
}

TEST(NiftiImage, OverwritingReplacesTheFileAtomically) {
  TempDir dir;
  std::string const map = dir.file("map.nii");
  write_nifti(map, make_geometry({1, 1, 1}), {2, 1, 1}, std::vector<double>{1, 2});
  write_nifti(map, make_geometry({1, 1, 1}), {3, 1, 1}, std::vector<double>{4, 5, 6});
  EXPECT_EQ(read_nifti(map).data, (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"map.nii"}));
}

TEST(NiftiGeometryHelpers, VoxelToWorldFollowsSformThenQformThenPixdim) {
  NiftiGeometry g = oblique_geometry();
  auto m = voxel_to_world(g);
  EXPECT_EQ(m[1][3], 88.0);
  EXPECT_EQ(m[2][2], 5.4);
  EXPECT_EQ(m[3], (std::array<double, 4>{0, 0, 0, 1}));

  g.sform_code = 0;
  g.quatern_b = 0.0, g.quatern_c = 0.0, g.quatern_d = 1.0;  // 180 degrees about z
  g.qfac = 1.0;
  m = voxel_to_world(g);
  EXPECT_NEAR(m[0][0], -1.875, 1e-12);
  EXPECT_NEAR(m[1][1], -1.875, 1e-12);
  EXPECT_NEAR(m[2][2], 5.5, 1e-12);
  EXPECT_NEAR(m[0][1], 0.0, 1e-12);
  EXPECT_EQ(m[0][3], -119.5);
  g.qfac = -1.0;  // left-handed: the k axis flips
  EXPECT_NEAR(voxel_to_world(g)[2][2], -5.5, 1e-12);

  g.qform_code = 0;
  m = voxel_to_world(g);
  EXPECT_EQ(m[0][0], 1.875);
  EXPECT_EQ(m[2][2], 5.5);
  EXPECT_EQ(m[0][3], 0.0);
}

TEST(NiftiGeometryHelpers, SameGridComparesSizesSpacingAndAffine) {
  NiftiGeometry const a = oblique_geometry();
  std::array<int64_t, 4> const dims = {64, 64, 20, 1};
  EXPECT_TRUE(same_grid(a, dims, a, {64, 64, 20, 80}));  // the time axis does not matter
  EXPECT_TRUE(same_grid(a, dims, rounded_to_float(a), dims, 1e-4));
  EXPECT_FALSE(same_grid(a, dims, a, {64, 64, 21, 1}));
  NiftiGeometry b = a;
  b.pixdim[3] = 5.0;
  EXPECT_FALSE(same_grid(a, dims, b, dims));
  b = a;
  b.srow[0][3] += 0.01;
  EXPECT_FALSE(same_grid(a, dims, b, dims, 1e-3));
  EXPECT_TRUE(same_grid(a, dims, b, dims, 0.1));
  b = a;
  b.description = "another scan";
  b.intent_code = 0;
  EXPECT_TRUE(same_grid(a, dims, b, dims));
}

TEST(NiftiGeometryHelpers, GridDifferenceNamesTheAxisThatDiffers) {
  NiftiGeometry const a = make_geometry({2.0, 2.0, 3.0});
  std::array<int64_t, 4> const dims = {8, 8, 4, 1};
  EXPECT_EQ(grid_difference(a, dims, a, dims), "");
  EXPECT_NE(grid_difference(a, dims, a, {8, 9, 4, 1}).find("dim[2] (j) is 9 voxels, not 8"),
            std::string::npos);
  // A flipped axis: same voxel sizes, the j axis points the other way (origin moved to keep the box).
  NiftiGeometry flipped = a;
  flipped.srow[1][1] = -2.0;
  flipped.srow[1][3] = 14.0;
  std::string const flip = grid_difference(a, dims, flipped, dims);
  EXPECT_NE(flip.find("voxel axis j is (0, -2, 0), not (0, 2, 0)"), std::string::npos) << flip;
  // Another pixdim with an equal sform: the voxel size along k differs although the affine agrees.
  NiftiGeometry thicker = a;
  thicker.pixdim[3] = 5.0;
  std::string const pixdim = grid_difference(a, dims, thicker, dims);
  EXPECT_NE(pixdim.find("pixdim[3] (voxel size along k) is 5, not 3"), std::string::npos) << pixdim;
  NiftiGeometry shifted = a;
  shifted.srow[2][3] = 1.5;
  EXPECT_NE(grid_difference(a, dims, shifted, dims).find("shifted origin"), std::string::npos);
}

TEST(NiftiGeometryHelpers, MakeGeometryDescribesASimpleGrid) {
  NiftiGeometry const g = make_geometry({2.0, 2.5, 4.0}, 1.2);
  EXPECT_EQ(g.pixdim[2], 2.5);
  EXPECT_EQ(g.time_step_s, 1.2);
  EXPECT_EQ(g.xyz_units, 2);
  EXPECT_EQ(g.time_units, 8);
  auto const m = voxel_to_world(g);
  EXPECT_EQ(m[1][1], 2.5);
  NiftiGeometry q = g;
  q.sform_code = 0;  // the qform alone must describe the same grid
  EXPECT_TRUE(same_grid(g, {2, 2, 2, 1}, q, {2, 2, 2, 1}, 1e-12));
}

// Geometry without which no map can be placed: refused when the header is read, whether or not a mask would
// later exclude every voxel (before, NaN or zero voxel sizes and sforms gave maps with NaN geometry, exit 0).
TEST(NiftiImage, NonFiniteOrZeroVoxelSizesAndSformsAreInputErrors) {
  TempDir dir;
  std::vector<float> const values(8, 1.0f);
  auto refused = [&](NiftiGeometry const& g, std::string const& name, std::string const& field) {
    std::string const path = dir.file(name);
    write_nifti(path, g, {2, 2, 2}, values);
    expect_error_mentioning<InputError>([&] { read_nifti_header(path); }, {path, field});
    expect_error_mentioning<InputError>([&] { read_nifti(path); }, {path, field});
  };
  NiftiGeometry g = make_geometry({2.0, 2.0, 2.0});
  g.pixdim[2] = 0.0;
  refused(g, "zero-pixdim.nii", "pixdim[2]");
  g = make_geometry({2.0, 2.0, 2.0});
  g.pixdim[3] = std::nan("");
  refused(g, "nan-pixdim.nii", "pixdim[3]");
  g = make_geometry({2.0, 2.0, 2.0});
  g.srow[1][3] = std::nan("");
  refused(g, "nan-sform.nii", "srow_y[3]");
  g = make_geometry({2.0, 2.0, 2.0});
  g.srow[2] = {0.0, 0.0, 0.0, 5.0};
  refused(g, "singular-sform.nii", "singular");
  g = make_geometry({2.0, 2.0, 2.0});
  g.qoffset_x = std::numeric_limits<double>::infinity();
  refused(g, "inf-qform.nii", "qoffset_x");
  // An unused sform (sform_code 0) may hold anything; a 2-D image has no third voxel size to check.
  g = make_geometry({2.0, 2.0, 2.0});
  g.sform_code = 0;
  g.srow[0][0] = std::nan("");
  write_nifti(dir.file("unused-sform.nii"), g, {2, 2, 2}, values);
  EXPECT_NO_THROW(read_nifti(dir.file("unused-sform.nii")));
}
