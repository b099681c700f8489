// DICOM series reading: synthetic series written with GDCM (write_synthetic_dicom_series, file names
// shuffled) are read back and checked for values, geometry (the DICOM position formula, in RAS), timing and
// metadata; then the error cases.
#include "../../src/io/dicom/file_header.hpp"
#include "../../src/io/dicom/structure_check.hpp"
#include "io_test_support.hpp"
#include "synthetic_dicom.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/dicom_series.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;
using namespace voxflow::io;
using voxflow::InputError;
using voxflow::testing::expect_error_mentioning;
using voxflow::testing::read_bytes;
using voxflow::testing::TempDir;
using voxflow::testing::write_bytes;

namespace {

using Vec3 = std::array<double, 3>;

Vec3 normal_of(std::array<double, 6> const& o) {
  return {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
}

// The DICOM position (PS3.3 C.7.6.2.1.1) of column i, row j of the file at `position`, converted to RAS.
Vec3 dicom_position_ras(SyntheticDicomSpec const& spec, Vec3 const& position, double i, double j) {
  Vec3 p;
  for (int c = 0; c < 3; ++c)
    p[c] = position[c] + i * spec.pixel_spacing[1] * spec.orientation[c] +
           j * spec.pixel_spacing[0] * spec.orientation[3 + c];
  return {-p[0], -p[1], p[2]};
}

Vec3 spec_slice_position(SyntheticDicomSpec const& spec, int k) {
  Vec3 const n = normal_of(spec.orientation);
  Vec3 p;
  for (int c = 0; c < 3; ++c) p[c] = spec.first_position[c] + k * spec.slice_spacing * n[c];
  return p;
}

Vec3 apply(std::array<std::array<double, 4>, 4> const& m, double i, double j, double k) {
  Vec3 w;
  for (int r = 0; r < 3; ++r) w[r] = m[r][0] * i + m[r][1] * j + m[r][2] * k + m[r][3];
  return w;
}

// Checks the sform and, separately, the qform against the DICOM formula at the corners and one inner voxel;
// `spec_k(k)` maps the reader's slice index to the writer's.
template <class SliceMap>
void expect_geometry(DicomSeries const& s, SyntheticDicomSpec const& spec, SliceMap spec_k) {
  NiftiGeometry const& g = s.image.geometry;
  EXPECT_EQ(g.sform_code, 1);
  EXPECT_EQ(g.qform_code, 1);
  EXPECT_EQ(g.xyz_units, 2);
  EXPECT_EQ(g.time_units, 8);
  EXPECT_NEAR(g.pixdim[1], spec.pixel_spacing[1], 1e-9);
  EXPECT_NEAR(g.pixdim[2], spec.pixel_spacing[0], 1e-9);
  EXPECT_NEAR(g.pixdim[3], std::abs(spec.slice_spacing), 1e-6);
  NiftiGeometry qform_only = g;
  qform_only.sform_code = 0;
  auto const sform = voxel_to_world(g), qform = voxel_to_world(qform_only);
  for (int k : {0, spec.slices - 1})
    for (int j : {0, 1, spec.rows - 1})
      for (int i : {0, 2, spec.columns - 1}) {
        Vec3 const expected = dicom_position_ras(spec, spec_slice_position(spec, spec_k(k)), i, j);
        Vec3 const from_sform = apply(sform, i, j, k), from_qform = apply(qform, i, j, k);
        for (int c = 0; c < 3; ++c) {
          EXPECT_NEAR(from_sform[c], expected[c], 1e-6) << "sform, voxel " << i << ',' << j << ',' << k;
          EXPECT_NEAR(from_qform[c], expected[c], 1e-5) << "qform, voxel " << i << ',' << j << ',' << k;
        }
      }
}

double stored(int i, int j, int k, int t) {
  return i + 7 * j + 31 * k + 101 * t;
}

// Every voxel of `s` is the value written at (i, j, k, t), rescaled as `spec` says: voxel (i, j) is column i,
// row j of the DICOM image, not transposed (SPEC.md B-11).
void expect_rescaled_values(DicomSeries const& s, SyntheticDicomSpec const& spec) {
  for (int t = 0; t < spec.time_points; ++t)
    for (int k = 0; k < spec.slices; ++k)
      for (int j = 0; j < spec.rows; ++j)
        for (int i = 0; i < spec.columns; ++i)
          ASSERT_EQ(s.image.data[s.image.index(i, j, k, t)],
                    spec.rescale_slope * stored(i, j, k, t) + spec.rescale_intercept)
              << i << ',' << j << ',' << k << ',' << t;
}

}  // namespace

TEST(DicomSeries, AxialSiemensSeriesReadsValuesGeometryTimingAndMetadata) {
  TempDir dir;
  SyntheticDicomSpec spec;  // 5 columns x 4 rows x 3 slices x 2 time points, axial
  spec.rescale_slope = 2.0;
  spec.rescale_intercept = -10.0;
  spec.frame_times_s = {0.0, 4.25};
  spec.inversion_time_ms = 300.0;
  spec.shuffle_seed = 7;
  auto const written = write_synthetic_dicom_series(dir.path().string(), spec);
  ASSERT_EQ(written.size(), 6u);

  DicomSeries const s = read_dicom_series(dir.path().string());
  EXPECT_EQ(s.image.dims, (std::array<int64_t, 4>{5, 4, 3, 2}));
  ASSERT_EQ(s.image.data.size(), 120u);
  EXPECT_EQ(s.files, written);
  expect_rescaled_values(s, spec);
  expect_geometry(s, spec, [](int k) { return k; });
  EXPECT_EQ(s.image.geometry.qfac, 1.0);
  EXPECT_EQ(s.image.geometry.slice_dim, 3);

  DicomAcquisition const& a = s.acquisition;
  ASSERT_EQ(a.frame_times_s.size(), 2u);
  EXPECT_NEAR(a.frame_times_s[0], 0.0, 1e-9);
  EXPECT_NEAR(a.frame_times_s[1], 4.25, 1e-6);
  EXPECT_NE(a.frame_time_source.find("AcquisitionTime"), std::string::npos);
  EXPECT_NE(a.temporal_order_source.find("AcquisitionTime"), std::string::npos);
  EXPECT_NEAR(s.image.geometry.time_step_s, 4.25, 1e-6);
  EXPECT_DOUBLE_EQ(a.require_flip_angle_deg(), 15.0);
  EXPECT_DOUBLE_EQ(a.require_repetition_time_s(), 0.0045);
  EXPECT_DOUBLE_EQ(a.require_echo_time_s(), 0.0018);
  EXPECT_DOUBLE_EQ(a.require_inversion_time_s(), 0.3);
  EXPECT_DOUBLE_EQ(a.require_magnetic_field_strength_t(), 3.0);
  EXPECT_EQ(a.manufacturer, "SIEMENS");
  EXPECT_EQ(a.series_description, "synthetic");
  EXPECT_EQ(a.series_number, 1);
  EXPECT_EQ(a.modality, "MR");
  EXPECT_TRUE(a.b_values_s_per_mm2.empty());
  EXPECT_EQ(s.counts.files_examined, 6u);
  EXPECT_EQ(s.counts.non_dicom_skipped, 0u);
}

TEST(DicomSeries, ObliqueGeSeriesWithDescendingSlicesSortsAlongTheNormal) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.columns = 6;
  spec.rows = 3;
  spec.slices = 4;
  spec.time_points = 3;
  // Row direction rotated 30° about z, column direction tilted 30° towards z: a double-oblique plane.
  spec.orientation = {0.8660254037844386, 0.5, 0.0, -0.4330127018922193, 0.75, 0.5};
  spec.pixel_spacing = {0.9, 1.1};
  spec.slice_spacing = -3.0;  // the writer's slice 0 is the highest along the normal
  spec.first_position = {12.5, -40.25, 33.0};
  spec.manufacturer = "GE MEDICAL SYSTEMS";
  spec.timing = DicomTimingStyle::ge;
  spec.frame_times_s = {0.0, 2.5, 7.0};
  spec.shuffle_seed = 11;
  write_synthetic_dicom_series(dir.path().string(), spec);

  DicomSeries const s = read_dicom_series(dir.path().string());
  EXPECT_EQ(s.image.dims, (std::array<int64_t, 4>{6, 3, 4, 3}));
  for (int t = 0; t < 3; ++t)
    for (int k = 0; k < 4; ++k)
      for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 6; ++i)
          ASSERT_EQ(s.image.data[s.image.index(i, j, k, t)], stored(i, j, 3 - k, t));
  expect_geometry(s, spec, [](int k) { return 3 - k; });
  EXPECT_NE(s.acquisition.temporal_order_source.find("TemporalPositionIdentifier"), std::string::npos);
  EXPECT_NE(s.acquisition.frame_time_source.find("TriggerTime"), std::string::npos);
  ASSERT_EQ(s.acquisition.frame_times_s.size(), 3u);
  EXPECT_NEAR(s.acquisition.frame_times_s[1], 2.5, 1e-9);
  EXPECT_NEAR(s.acquisition.frame_times_s[2], 7.0, 1e-9);
}

TEST(DicomSeries, NiftiWrittenFromADicomSeriesKeepsItsGeometry) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.orientation = {0.8660254037844386, 0.5, 0.0, -0.4330127018922193, 0.75, 0.5};
  spec.first_position = {-101.3, 77.7, -12.9};
  write_synthetic_dicom_series(dir.file("dicom"), spec);
  DicomSeries const s = read_dicom_series(dir.file("dicom"));
  std::string const path = dir.file("series.nii.gz");
  write_nifti_4d(path, s.image.geometry, s.image.dims, s.image.data);
  NiftiImage const back = read_nifti(path);
  EXPECT_EQ(back.dims, s.image.dims);
  EXPECT_TRUE(same_grid(back.geometry, back.dims, s.image.geometry, s.image.dims, 1e-4));
  NiftiGeometry q_back = back.geometry, q_dicom = s.image.geometry;
  q_back.sform_code = q_dicom.sform_code = 0;
  EXPECT_TRUE(same_grid(q_back, back.dims, q_dicom, s.image.dims, 1e-4));
  EXPECT_EQ(back.geometry.qform_code, 1);
  EXPECT_EQ(back.geometry.sform_code, 1);
  EXPECT_NEAR(back.geometry.time_step_s, 3.5, 1e-6);
  EXPECT_EQ(back.data, s.image.data);
}

TEST(DicomSeries, PhilipsTimingAndJpegLosslessFilesAreDecoded) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.manufacturer = "Philips Medical Systems";
  spec.timing = DicomTimingStyle::philips;
  spec.time_points = 3;
  spec.frame_times_s = {0.0, 1.5, 3.0};
  spec.unsigned_pixels = true;
  spec.stored_values.resize(5 * 4 * 3 * 3);
  for (std::size_t n = 0; n < spec.stored_values.size(); ++n)
    spec.stored_values[n] = static_cast<int>(60000 - 97 * n);
  spec.jpeg_lossless = true;
  write_synthetic_dicom_series(dir.path().string(), spec);
  DicomSeries const s = read_dicom_series(dir.path().string());
  ASSERT_EQ(s.image.data.size(), spec.stored_values.size());
  for (std::size_t n = 0; n < spec.stored_values.size(); ++n)
    ASSERT_EQ(s.image.data[n], spec.stored_values[n]) << n;
  EXPECT_NE(s.acquisition.temporal_order_source.find("TemporalPositionIdentifier"), std::string::npos);
  EXPECT_NE(s.acquisition.frame_time_source.find("AcquisitionTime"), std::string::npos);
  EXPECT_NEAR(s.acquisition.frame_times_s[2], 3.0, 1e-6);
}

TEST(DicomSeries, SignedValuesAndASingleVolume) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.time_points = 1;
  spec.slices = 1;
  spec.slice_thickness = 4.0;
  spec.slice_spacing = 5.0;
  spec.stored_values.resize(20);
  for (int n = 0; n < 20; ++n) spec.stored_values[static_cast<std::size_t>(n)] = -1000 + 97 * n;
  spec.rescale_slope = 0.5;
  write_synthetic_dicom_series(dir.path().string(), spec);
  DicomSeries const s = read_dicom_series(dir.path().string());
  EXPECT_EQ(s.image.dims, (std::array<int64_t, 4>{5, 4, 1, 1}));
  for (int n = 0; n < 20; ++n) EXPECT_EQ(s.image.data[static_cast<std::size_t>(n)], 0.5 * (-1000 + 97 * n));
  EXPECT_DOUBLE_EQ(s.image.geometry.pixdim[3], 5.0);  // SpacingBetweenSlices
  EXPECT_EQ(s.acquisition.frame_times_s, std::vector<double>{0.0});
}

TEST(DicomSeries, AnAnonymisedSeriesThatCrossesMidnightKeepsItsOrderAndTimes) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.slices = 1;
  spec.time_points = 5;
  spec.frame_times_s = {0.0, 5.0, 10.0, 15.0, 20.0};
  spec.clock_start_s = 24 * 3600 - 12;  // 23:59:48: frames 3 and 4 are after midnight
  spec.dates = false;
  spec.shuffle_seed = 3;
  auto const written = write_synthetic_dicom_series(dir.path().string(), spec);
  DicomSeries const s = read_dicom_series(dir.path().string());
  EXPECT_EQ(s.files, written);  // in acquisition order, not 00:00:03 first
  ASSERT_EQ(s.acquisition.frame_times_s.size(), 5u);
  for (std::size_t t = 0; t < 5; ++t) EXPECT_NEAR(s.acquisition.frame_times_s[t], 5.0 * t, 1e-6) << t;
  for (int t = 0; t < 5; ++t) EXPECT_EQ(s.image.data[s.image.index(1, 2, 0, t)], stored(1, 2, 0, t));
}

TEST(DicomSeries, InstanceNumberOrdersVolumesButGivesNoFrameTimes) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.timing = DicomTimingStyle::instance_only;
  spec.time_points = 3;
  write_synthetic_dicom_series(dir.path().string(), spec);
  DicomSeries const s = read_dicom_series(dir.path().string());
  EXPECT_NE(s.acquisition.temporal_order_source.find("InstanceNumber"), std::string::npos);
  EXPECT_EQ(s.image.data[s.image.index(1, 2, 0, 2)], stored(1, 2, 0, 2));
  EXPECT_TRUE(s.acquisition.frame_times_s.empty());
  EXPECT_EQ(s.image.geometry.time_step_s, 0.0);
  expect_error_mentioning<InputError>(
      [&] { s.acquisition.require_frame_times_s(); },
      {s.files.front(), "TriggerTime (0018,1060)", "AcquisitionTime (0008,0032)"});
}

TEST(DicomSeries, MissingTagsAreReportedWhenAsked) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.time_points = 1;
  write_synthetic_dicom_series(dir.path().string(), spec);
  DicomSeries const s = read_dicom_series(dir.path().string());
  EXPECT_FALSE(s.acquisition.inversion_time_s.has_value());
  expect_error_mentioning<InputError>([&] { s.acquisition.require_inversion_time_s(); },
                                      {s.acquisition.first_file, "InversionTime (0018,0082)"});
  expect_error_mentioning<InputError>([&] { s.acquisition.require_b_values_s_per_mm2(); },
                                      {"DiffusionBValue (0018,9087)"});
}

TEST(DicomSeries, BValuesFromTheStandardAndVendorTags) {
  std::vector<double> const b = {0.0, 50.0, 800.0};
  struct Case {
    std::string manufacturer;
    bool standard;
    std::string source;
  };
  for (auto const& c :
       {Case{"SIEMENS", true, "DiffusionBValue"}, Case{"SIEMENS", false, "Siemens"},
        Case{"GE MEDICAL SYSTEMS", false, "GE"}, Case{"Philips Medical Systems", false, "Philips"}}) {
    TempDir dir;
    SyntheticDicomSpec spec;
    spec.manufacturer = c.manufacturer;
    spec.standard_b_value_tag = c.standard;
    spec.time_points = 3;
    spec.b_values = b;
    write_synthetic_dicom_series(dir.path().string(), spec);
    DicomSeries const s = read_dicom_series(dir.path().string());
    EXPECT_EQ(s.acquisition.require_b_values_s_per_mm2(), b) << c.source;
    EXPECT_NE(s.acquisition.b_value_source.find(c.source), std::string::npos) << s.acquisition.b_value_source;
  }
}

TEST(DicomSeries, SeveralSeriesNeedASelection) {
  TempDir dir;
  SyntheticDicomSpec dce;
  dce.series_number = 3;
  dce.series_description = "DCE dynamic";
  dce.file_prefix = "A";
  SyntheticDicomSpec t1 = dce;
  t1.series_number = 7;
  t1.series_description = "T1 VFA";
  t1.file_prefix = "B";
  t1.time_points = 1;
  write_synthetic_dicom_series(dir.file("one"), dce);
  write_synthetic_dicom_series(dir.file("one/two"), t1);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string()); },
                                      {"series 3 'DCE dynamic' (6 files", "series 7 'T1 VFA' (3 files"});
  DicomSelection none;
  none.selector = "'inputs.series: <SeriesInstanceUID or SeriesNumber>'";
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string(), none); },
                                      {"inputs.series: <SeriesInstanceUID or SeriesNumber>", "series 7"});
  auto const listed = list_dicom_series(dir.path().string());
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].series_number, 3);
  EXPECT_EQ(listed[1].file_count, 3u);

  DicomSelection by_number;
  by_number.series_number = 7;
  DicomSeries const s = read_dicom_series(dir.path().string(), by_number);
  EXPECT_EQ(s.image.dims[3], 1);
  EXPECT_EQ(s.acquisition.series_description, "T1 VFA");
  EXPECT_EQ(s.counts.other_series_files, 6u);

  DicomSelection by_uid;
  by_uid.series_uid = listed[0].series_uid;
  EXPECT_EQ(read_dicom_series(dir.path().string(), by_uid).image.dims[3], 2);

  DicomSelection wrong;
  wrong.series_number = 9;
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string(), wrong); },
                                      {"SeriesNumber (0020,0011)", "numbered 9"});
}

TEST(DicomSeries, EmptyFolderAndFolderWithoutDicomAreErrors) {
  TempDir dir;
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string()); },
                                      {dir.path().string(), "DICOM image series", "0 files examined"});
  write_bytes(dir.file("notes.txt"), {'h', 'e', 'l', 'l', 'o', '\n'});
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string()); },
                                      {"1 files examined", "1 not DICOM"});
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("missing")); }, {"missing", "path"});
}

TEST(DicomSeries, NonDicomFilesAreSkippedAndCounted) {
  TempDir dir;
  SyntheticDicomSpec spec;
  write_synthetic_dicom_series(dir.path().string(), spec);
  write_bytes(dir.file("README"), {'n', 'o', 't', ' ', 'd', 'i', 'c', 'o', 'm', '\n'});
  std::vector<unsigned char> noise(3000);
  for (std::size_t n = 0; n < noise.size(); ++n) noise[n] = static_cast<unsigned char>((n * 7919u) >> 3);
  std::filesystem::create_directories(dir.file("sub"));
  write_bytes(dir.file("sub/noise.bin"), noise);
  DicomSeries const s = read_dicom_series(dir.path().string());
  EXPECT_EQ(s.counts.files_examined, 8u);
  EXPECT_EQ(s.counts.non_dicom_skipped, 2u);
  EXPECT_EQ(s.counts.skipped_files.size(), 2u);
  EXPECT_EQ(s.image.dims, (std::array<int64_t, 4>{5, 4, 3, 2}));
}

// A slice that was never copied completely (zero bytes) is never dropped from its series without a word.
TEST(DicomSeries, AnEmptyFileInTheFolderIsAnErrorNamingIt) {
  TempDir dir;
  SyntheticDicomSpec spec;
  auto const files = write_synthetic_dicom_series(dir.path().string(), spec);
  std::filesystem::resize_file(files[4], 0);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string()); },
                                      {files[4], "empty file"});
}

TEST(DicomSeries, AFileWithAnotherMatrixSizeIsNamed) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.series_uid = "1.2.826.0.1.3680043.2.1125.42";
  write_synthetic_dicom_series(dir.path().string(), spec);
  SyntheticDicomSpec odd = spec;
  odd.columns = 6;
  odd.time_points = 1;
  odd.slices = 1;
  odd.file_prefix = "ZZ";
  auto const odd_files = write_synthetic_dicom_series(dir.path().string(), odd);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string()); },
                                      {odd_files.front(), "Columns (0028,0011)", "4 x 5"});
}

TEST(DicomSeries, AMissingSliceOrUnevenSpacingIsAnError) {
  TempDir dir;
  SyntheticDicomSpec spec;
  auto const files = write_synthetic_dicom_series(dir.path().string(), spec);
  std::filesystem::remove(files[1 + 3 * 1]);  // slice 1 of time point 1
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string()); },
                                      {"ImagePositionPatient (0020,0032)", "same number of images"});
  TempDir gap;
  SyntheticDicomSpec four = spec;
  four.slices = 4;
  four.time_points = 1;
  auto const gap_files = write_synthetic_dicom_series(gap.path().string(), four);
  std::filesystem::remove(gap_files[2]);  // slices at 0, 2.5, 7.5 mm
  expect_error_mentioning<InputError>([&] { read_dicom_series(gap.path().string()); },
                                      {"ImagePositionPatient (0020,0032)", "equally spaced"});
}

TEST(DicomSeries, TruncatedFilesAreErrorsNamingTheFile) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.columns = 64;
  spec.rows = 64;
  auto const files = write_synthetic_dicom_series(dir.path().string(), spec);
  auto const whole = read_bytes(files[2]);
  // Pixel data cut short: the header parses, the image does not decode.
  auto bytes = whole;
  bytes.resize(bytes.size() - 4000);
  write_bytes(files[2], bytes);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string()); },
                                      {files[2], "PixelData (7FE0,0010)", "truncated"});
  // Cut anywhere in the file meta information, the data set or the pixel data: an InputError naming the file.
  // No cut may crash (GDCM 3.0 asserts on many) or drop the file silently.
  for (std::size_t cut = 133; cut < whole.size(); cut += (cut < 400 ? 1 : 11)) {
    bytes.assign(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
    write_bytes(files[2], bytes);
    try {
      read_dicom_series(dir.path().string());
      ADD_FAILURE() << "no error for a file cut at " << cut << " of " << whole.size() << " bytes";
    } catch (InputError const& e) {
      EXPECT_NE(std::string(e.what()).find(files[2]), std::string::npos) << "cut " << cut << ": " << e.what();
    }
  }
}

TEST(DicomSeries, AnExplicitFileListReadsOnlyThoseFiles) {
  TempDir dir;
  SyntheticDicomSpec spec;
  auto const files = write_synthetic_dicom_series(dir.path().string(), spec);
  std::vector<std::string> const first_volume(files.begin(), files.begin() + 3);
  DicomSeries const s = read_dicom_series(first_volume);
  EXPECT_EQ(s.image.dims, (std::array<int64_t, 4>{5, 4, 3, 1}));
  EXPECT_EQ(s.image.data[s.image.index(4, 3, 2)], stored(4, 3, 2, 0));
}

TEST(DicomSeries, AnEnhancedObjectWithFramesOutOfOrderIsSortedBySliceAndTime) {
  TempDir dir;
  SyntheticDicomSpec spec;  // 5 columns x 4 rows x 3 slices, oblique, 4 time points
  spec.time_points = 4;
  spec.orientation = {0.0, 1.0, 0.0, 0.0, 0.0, -1.0};  // sagittal
  spec.manufacturer = "Philips Medical Systems";
  spec.frame_times_s = {0.0, 2.5, 5.0, 7.5};
  spec.clock_start_s = 24 * 3600 - 4.0;  // crosses midnight between the second and third volume
  spec.rescale_slope = 2.0;
  spec.rescale_intercept = -10.0;
  spec.shuffle_seed = 11;
  fs::create_directories(dir.path() / "enhanced");
  write_synthetic_enhanced_dicom((dir.path() / "enhanced" / "IM1").string(), spec);

  DicomSeries const s = read_dicom_series((dir.path() / "enhanced").string());
  ASSERT_EQ(s.image.dims, (std::array<int64_t, 4>{5, 4, 3, 4}));
  expect_rescaled_values(s, spec);
  expect_geometry(s, spec, [](int k) { return k; });
  ASSERT_EQ(s.acquisition.frame_times_s.size(), 4u);
  for (std::size_t t = 0; t < 4; ++t) EXPECT_NEAR(s.acquisition.frame_times_s[t], 2.5 * t, 1e-6);
  EXPECT_EQ(s.acquisition.frame_time_source,
            "FrameAcquisitionDateTime (0018,9074) in FrameContentSequence (0020,9111)");
  EXPECT_EQ(s.acquisition.temporal_order_source,
            "TemporalPositionIndex (0020,9128) in FrameContentSequence (0020,9111)");
  EXPECT_DOUBLE_EQ(s.acquisition.require_repetition_time_s(), 0.0045);
  EXPECT_DOUBLE_EQ(s.acquisition.require_echo_time_s(), 0.0018);
  EXPECT_DOUBLE_EQ(s.acquisition.require_flip_angle_deg(), 15.0);

  // The same images as one file per slice and time point read to the same volume and geometry.
  write_synthetic_dicom_series((dir.path() / "single").string(), spec);
  DicomSeries const single = read_dicom_series((dir.path() / "single").string());
  EXPECT_EQ(single.image.data, s.image.data);
  EXPECT_EQ(voxel_to_world(single.image.geometry), voxel_to_world(s.image.geometry));
}

TEST(DicomSeries, AnEnhancedDiffusionObjectGivesItsBValuesInVolumeOrder) {
  TempDir dir;
  SyntheticDicomSpec spec;
  spec.time_points = 3;
  spec.b_values = {0.0, 50.0, 800.0};
  spec.manufacturer = "Philips Medical Systems";
  spec.shuffle_seed = 5;
  std::string const file = (dir.path() / "dwi.dcm").string();
  write_synthetic_enhanced_dicom(file, spec);
  DicomSeries const s = read_dicom_series(dir.path().string());
  ASSERT_EQ(s.image.dims[3], 3);
  EXPECT_EQ(s.acquisition.require_b_values_s_per_mm2(), spec.b_values);
  EXPECT_NE(s.acquisition.b_value_source.find("MRDiffusionSequence"), std::string::npos)
      << s.acquisition.b_value_source;
  for (int t = 0; t < 3; ++t) EXPECT_EQ(s.image.data[s.image.index(1, 2, 0, t)], stored(1, 2, 0, t));
}

// A PixelSpacing of 0 (or negative) would give the maps collapsed or NaN geometry: refused, naming the file
// and the tag, even though nothing else about the series is wrong.
TEST(DicomSeries, ZeroOrNegativePixelSpacingIsAnInputError) {
  for (std::array<double, 2> spacing : {std::array<double, 2>{{0.0, 1.25}}, {{1.5, -1.0}}}) {
    TempDir dir;
    SyntheticDicomSpec spec;
    spec.pixel_spacing = spacing;
    write_synthetic_dicom_series(dir.path().string(), spec);
    expect_error_mentioning<InputError>([&] { read_dicom_series(dir.path().string()); },
                                        {"PixelSpacing", "two positive pixel spacings"});
  }
}

namespace {

// The bytes of one synthetic slice and where its data set begins: after the meta group, whose length the
// first element, (0002,0000) UL, gives.
struct OneSlice {
  std::vector<unsigned char> bytes;
  std::size_t data_set_start = 0;
};
OneSlice one_slice(TempDir const& dir, bool jpeg_lossless = false) {
  SyntheticDicomSpec spec;
  spec.slices = 1, spec.time_points = 1;
  spec.jpeg_lossless = jpeg_lossless;
  OneSlice slice;
  slice.bytes = read_bytes(write_synthetic_dicom_series(dir.file("series"), spec).front());
  EXPECT_EQ(std::string(slice.bytes.begin() + 132, slice.bytes.begin() + 138),
            std::string("\x02\x00\x00\x00UL", 6));
  uint32_t group_length = 0;
  for (int b = 3; b >= 0; --b)
    group_length = (group_length << 8) | slice.bytes[static_cast<std::size_t>(140 + b)];
  slice.data_set_start = 144 + group_length;
  return slice;
}
// The slice with `element` inserted where its data set begins, written as `name`; returns the path.
std::string with_first_element(TempDir const& dir, OneSlice slice, std::vector<unsigned char> const& element,
                               std::string const& name) {
  slice.bytes.insert(slice.bytes.begin() + static_cast<std::ptrdiff_t>(slice.data_set_start), element.begin(),
                     element.end());
  write_bytes(dir.file(name), slice.bytes);
  return dir.file(name);
}
// The little-endian 32-bit value at `at`, and its replacement.
std::size_t u32_at(std::vector<unsigned char> const& bytes, std::size_t at) {
  return static_cast<std::size_t>(bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) |
                                  (static_cast<uint32_t>(bytes[at + 3]) << 24));
}
void set_u32_at(std::vector<unsigned char>& bytes, std::size_t at, std::size_t value) {
  for (std::size_t b = 0; b < 4; ++b) bytes[at + b] = static_cast<unsigned char>((value >> (8 * b)) & 0xFF);
}
// Where the basic offset table item of a JPEG slice's encapsulated pixel data starts: after the 12-byte
// header of (7FE0,0010) OB of undefined length. 0 when there is none.
std::size_t offset_table_item(std::vector<unsigned char> const& bytes) {
  std::vector<unsigned char> const header{0xE0, 0x7F, 0x10, 0x00, 'O',  'B',
                                          0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF};
  auto const found = std::search(bytes.begin(), bytes.end(), header.begin(), header.end());
  return found == bytes.end() ? 0 : static_cast<std::size_t>(found - bytes.begin()) + header.size();
}
// The slice without its top-level element `tag` (four bytes as written; explicit VR of a 16-bit length).
std::vector<unsigned char> without_element(std::vector<unsigned char> bytes,
                                           std::vector<unsigned char> const& tag) {
  auto const at = std::search(bytes.begin(), bytes.end(), tag.begin(), tag.end());
  EXPECT_NE(at, bytes.end());
  if (at == bytes.end()) return bytes;
  std::size_t const length = static_cast<std::size_t>(at[6] | (at[7] << 8));
  bytes.erase(at, at + static_cast<std::ptrdiff_t>(8 + length));
  return bytes;
}
// Refused by the structure walk, before GDCM reads the file, with an error naming it.
void expect_refused_before_gdcm(std::string const& path) {
  EXPECT_EQ(voxflow::io::detail::check_structure(path).structure, voxflow::io::detail::Structure::truncated);
  expect_error_mentioning<InputError>([&] { read_dicom_series(path); }, {path, "truncated or corrupt"});
}

}  // namespace

// Zero bytes inside a file are not the end of it: the structure walk took eight zero bytes for trailing
// padding and let GDCM read what follows, where an element claiming gigabytes made it allocate them (a
// libFuzzer find). Zeros followed by anything but zeros are now a corrupt file, named.
TEST(DicomSeries, ZeroBytesBeforeTheDataSetAreACorruptFileNotPadding) {
  TempDir dir;
  auto const slice = one_slice(dir);
  expect_refused_before_gdcm(with_first_element(dir, slice, std::vector<unsigned char>(16, 0), "padded.dcm"));
  // Padding at the very end stays accepted.
  auto tail = slice.bytes;
  tail.insert(tail.end(), 16, 0);
  write_bytes(dir.file("tail.dcm"), tail);
  EXPECT_NO_THROW(read_dicom_series(dir.file("tail.dcm")));
  // Four to seven zero bytes at the end are a cut element header: GDCM asserted, aborting the process, on
  // them (a libFuzzer find). Fewer than four are padding.
  for (int zeros = 1; zeros < 8; ++zeros) {
    auto cut = slice.bytes;
    cut.insert(cut.end(), static_cast<std::size_t>(zeros), 0);
    write_bytes(dir.file("cut.dcm"), cut);
    if (zeros < 4)
      EXPECT_NO_THROW(read_dicom_series(dir.file("cut.dcm"))) << zeros << " zero bytes";
    else
      expect_refused_before_gdcm(dir.file("cut.dcm"));
  }
}

// The structure walk must see each element where GDCM will: an explicit-VR element with a VR it does not
// know has a 32-bit length, as GDCM reads it. Read with a 16-bit length, the element below passed the walk
// while GDCM took it for four gigabytes and allocated them (a libFuzzer find); now the file is refused,
// named.
TEST(DicomSeries, AnUnknownVrHasA32BitLengthAsGdcmReadsIt) {
  TempDir dir;
  // (0008,0001) "ZZ": 16-bit length 4 and four value bytes, or reserved 0x0004 and a length of 0xF0000000.
  expect_refused_before_gdcm(with_first_element(
      dir, one_slice(dir), {0x08, 0x00, 0x01, 0x00, 'Z', 'Z', 0x04, 0x00, 0x00, 0x00, 0x00, 0xF0},
      "unknown-vr.dcm"));
}

// Two more structure rules GDCM relies on (libFuzzer finds): an undefined length belongs to a sequence, an
// UN holding one, or encapsulated pixel data (on (0001,0010) OB of undefined length GDCM asserted and
// aborted the process), and a delimitation item has length 0 (GDCM allocated the 1.5 GB a corrupt one
// claimed). Both are now refused, named, before GDCM sees the file.
TEST(DicomSeries, UndefinedLengthsWhereNoneBelongsAndDelimitersWithALengthAreRefusedBeforeGdcm) {
  TempDir dir;
  auto const slice = one_slice(dir);
  // (0008,0001) of `vr` and undefined length, closed at once by a sequence delimitation of length `top`
  // << 24.
  auto const undefined = [](char v, char r, unsigned char top) {
    return std::vector<unsigned char>{0x08,
                                      0x00,
                                      0x01,
                                      0x00,
                                      static_cast<unsigned char>(v),
                                      static_cast<unsigned char>(r),
                                      0x00,
                                      0x00,
                                      0xFF,
                                      0xFF,
                                      0xFF,
                                      0xFF,
                                      0xFE,
                                      0xFF,
                                      0xDD,
                                      0xE0,
                                      0x00,
                                      0x00,
                                      0x00,
                                      top};
  };
  expect_refused_before_gdcm(with_first_element(dir, slice, undefined('O', 'B', 0x00), "undefined.dcm"));
  expect_refused_before_gdcm(with_first_element(dir, slice, undefined('S', 'Q', 0x60), "delimiter.dcm"));
}

// GDCM parses the elements of every sequence item, of defined length too, rereading an undefined-length UN as
// explicit VR where implicit VR fails (CP-246); the structure walk only checked such an item's extent, and
// GDCM asserted, aborting the process, on one holding a JPEG frame (a libFuzzer find). Items are walked.
TEST(DicomSeries, TheElementsOfASequenceItemOfDefinedLengthAreWalked) {
  TempDir dir;
  auto const slice = one_slice(dir);
  // (0008,0001) UN of undefined length: one item of 8 bytes, then the sequence delimitation.
  auto const un_with_item = [](unsigned char fill) {
    std::vector<unsigned char> e{0x08, 0x00, 0x01, 0x00, 'U',  'N',  0x00, 0x00, 0xFF, 0xFF,
                                 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0x08, 0x00, 0x00, 0x00};
    e.insert(e.end(), 8, fill);
    for (unsigned char b : {0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00}) e.push_back(b);
    return e;
  };
  expect_refused_before_gdcm(with_first_element(dir, slice, un_with_item(0xFF), "garbage-item.dcm"));
  // The same item holding one element, (0008,0002) of length 0 in implicit VR: read.
  auto element = un_with_item(0x00);
  element[20] = 0x08, element[22] = 0x02;
  EXPECT_NO_THROW(read_dicom_series(with_first_element(dir, slice, element, "element-item.dcm")));
}

// Encapsulated pixel data are OB (or OW): GDCM asserted, aborting the process, on pixel data of undefined
// length written as OF (a libFuzzer find). Refused by the structure walk, named.
TEST(DicomSeries, EncapsulatedPixelDataOfAnotherVrIsRefusedBeforeGdcm) {
  TempDir dir;
  auto bytes = one_slice(dir, true).bytes;
  std::size_t const table = offset_table_item(bytes);
  ASSERT_NE(table, 0u);
  std::size_t const vr = table - 8;  // the pixel data's VR, then two reserved bytes and the length
  write_bytes(dir.file("ob.dcm"), bytes);
  EXPECT_NO_THROW(read_dicom_series(dir.file("ob.dcm")));
  bytes[vr + 1] = 'F';  // OB becomes OF
  write_bytes(dir.file("of.dcm"), bytes);
  EXPECT_EQ(voxflow::io::detail::check_structure(dir.file("of.dcm")).structure,
            voxflow::io::detail::Structure::truncated);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("of.dcm")); },
                                      {"of.dcm", "PixelData (7FE0,0010)", "OB or OW"});
  // Pixel data written as a sequence: GDCM asserted, aborting the process (a libFuzzer find).
  bytes[vr] = 'S', bytes[vr + 1] = 'Q';
  write_bytes(dir.file("sq.dcm"), bytes);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("sq.dcm")); },
                                      {"sq.dcm", "PixelData (7FE0,0010)", "OB or OW"});
}

// Encapsulated pixel data of a basic offset table and no fragment: GDCM's JPEG codec asserted, aborting the
// process (a libFuzzer find, whose table's length swallowed the frame's fragment).
TEST(DicomSeries, EncapsulatedPixelDataWithoutAFragmentAreRefusedBeforeGdcm) {
  TempDir dir;
  auto bytes = one_slice(dir, true).bytes;
  std::size_t const table = offset_table_item(bytes);
  ASSERT_NE(table, 0u);
  std::size_t const fragment = table + 8 + u32_at(bytes, table + 4);
  ASSERT_EQ(bytes[fragment + 3], 0xE0);
  set_u32_at(bytes, table + 4, u32_at(bytes, table + 4) + 8 + u32_at(bytes, fragment + 4));
  write_bytes(dir.file("table-only.dcm"), bytes);
  EXPECT_EQ(voxflow::io::detail::check_structure(dir.file("table-only.dcm")).structure,
            voxflow::io::detail::Structure::truncated);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("table-only.dcm")); },
                                      {"table-only.dcm", "PixelData (7FE0,0010)", "at least one fragment"});
}

// GDCM's JPEG codecs abort the process on any warning libjpeg gives while reading a frame's header (a
// libFuzzer find: 24 bytes between two marker segments of a lossless frame). Such frames are refused, named,
// before GDCM decodes: bytes between segments, a stream that ends before its scan, a JFIF version libjpeg
// does not read.
TEST(DicomSeries, AJpegFrameWhoseHeaderLibjpegWarnsAboutIsRefusedBeforeGdcm) {
  TempDir dir;
  auto const original = one_slice(dir, true).bytes;
  // The basic offset table item, then the frame's fragment item.
  std::size_t const table = offset_table_item(original);
  ASSERT_NE(table, 0u);
  std::size_t const fragment = table + 8 + u32_at(original, table + 4);
  std::size_t const frame = fragment + 8;
  ASSERT_EQ(original[fragment + 3], 0xE0);
  ASSERT_EQ(original[frame], 0xFF);
  ASSERT_EQ(original[frame + 1], 0xD8);
  std::vector<unsigned char> const sos{0xFF, 0xDA};
  auto const header = original.begin() + static_cast<std::ptrdiff_t>(frame + 2);
  std::size_t const sos_at = static_cast<std::size_t>(
      std::search(header, original.end(), sos.begin(), sos.end()) - original.begin());
  ASSERT_LT(sos_at, original.size());
  // `insert` put into the frame at `at`, the fragment's length grown to match, written as `name`.
  auto const with = [&](std::size_t at, std::vector<unsigned char> const& insert, std::string const& name) {
    auto bytes = original;
    bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), insert.begin(), insert.end());
    set_u32_at(bytes, fragment + 4, u32_at(bytes, fragment + 4) + insert.size());
    write_bytes(dir.file(name), bytes);
    return dir.file(name);
  };
  EXPECT_NO_THROW(read_dicom_series(with(sos_at, {}, "intact.dcm")));
  expect_error_mentioning<InputError>(
      [&] { read_dicom_series(with(sos_at, std::vector<unsigned char>(24, 0x11), "extraneous.dcm")); },
      {"extraneous.dcm", "PixelData (7FE0,0010)", "24 bytes between its marker segments", "0xDA"});
  // A stuffed FF 00 between segments is extraneous data too.
  expect_error_mentioning<InputError>(
      [&] {
        read_dicom_series(with(sos_at, {0xFF, 0x00}, "stuffed.dcm"));
      },
      {"stuffed.dcm", "2 bytes between"});
  std::vector<unsigned char> jfif{0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',  'F',  0x00,
                                  0x02, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
  expect_error_mentioning<InputError>([&] { read_dicom_series(with(frame + 2, jfif, "jfif2.dcm")); },
                                      {"jfif2.dcm", "JFIF marker of version 2"});
  jfif[9] = 0x01;  // version 1.1: read
  EXPECT_NO_THROW(read_dicom_series(with(frame + 2, jfif, "jfif1.dcm")));
  // A frame of 17-bit samples: GDCM dereferenced a null codec (a libFuzzer find).
  auto const sof3 =
      std::search_n(original.begin() + static_cast<std::ptrdiff_t>(frame), original.end(), 1, 0xC3);
  ASSERT_EQ(*(sof3 - 1), 0xFF);
  auto seventeen = original;
  seventeen[static_cast<std::size_t>(sof3 - original.begin()) + 3] = 17;  // FF C3, length, precision
  write_bytes(dir.file("17-bit.dcm"), seventeen);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("17-bit.dcm")); },
                                      {"17-bit.dcm", "17-bit samples"});
  // A frame of 7-bit samples: GDCM's image codec asserted on 8 bits allocated and 7 stored (a libFuzzer
  // find).
  seventeen[static_cast<std::size_t>(sof3 - original.begin()) + 3] = 7;
  write_bytes(dir.file("7-bit.dcm"), seventeen);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("7-bit.dcm")); },
                                      {"7-bit.dcm", "7-bit samples (8 to 16)"});
  // A DCT frame (SOF1) of 10-bit samples: GDCM's 16-bit codec asserted (a libFuzzer find).
  auto dct = original;
  std::size_t const sof = static_cast<std::size_t>(sof3 - original.begin());
  dct[sof + 3] = 10;
  dct[sof] = 0xC1;
  write_bytes(dir.file("10-bit-dct.dcm"), dct);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("10-bit-dct.dcm")); },
                                      {"10-bit-dct.dcm", "DCT JPEG frame of 10-bit samples"});
  // The frame cut inside its header: the pixel data end before the scan.
  auto cut = original;
  std::size_t const kept = (sos_at - frame - 4) & ~std::size_t{1};  // items have even lengths
  cut.erase(cut.begin() + static_cast<std::ptrdiff_t>(frame + kept),
            cut.begin() + static_cast<std::ptrdiff_t>(frame + u32_at(original, fragment + 4)));
  set_u32_at(cut, fragment + 4, kept);
  write_bytes(dir.file("cut-header.dcm"), cut);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("cut-header.dcm")); },
                                      {"cut-header.dcm", "ends before its scan"});
}

// Native pixel data hold every sample Rows and Columns claim: a 1.2 kB file claiming 64514 x 4100 samples
// made the series take gigabytes before decoding found them missing (a libFuzzer find). Refused with the
// header, named.
TEST(DicomSeries, NativePixelDataShorterThanTheMatrixAreRefusedBeforeAnyImageIsDecoded) {
  TempDir dir;
  auto bytes = one_slice(dir).bytes;
  std::vector<unsigned char> const rows{0x28, 0x00, 0x10, 0x00, 'U', 'S', 0x02, 0x00};
  auto const at = std::search(bytes.begin(), bytes.end(), rows.begin(), rows.end());
  ASSERT_NE(at, bytes.end());
  at[8] = 0x02, at[9] = 0xFC;  // 64514 rows
  write_bytes(dir.file("tall.dcm"), bytes);
  // By the header reader, before any series is allocated or image decoded.
  expect_error_mentioning<InputError>([&] { voxflow::io::detail::read_file_header(dir.file("tall.dcm")); },
                                      {"tall.dcm", "PixelData (7FE0,0010)", "bytes of pixel data", "found"});
  // JPEG frames have the size of Rows and Columns too (a find: 16387 x 12804 over a frame of a few bytes).
  auto jpeg = one_slice(dir, true).bytes;
  auto const jpeg_rows = std::search(jpeg.begin(), jpeg.end(), rows.begin(), rows.end());
  ASSERT_NE(jpeg_rows, jpeg.end());
  jpeg_rows[8] = 0x03, jpeg_rows[9] = 0x40;  // 16387 rows
  write_bytes(dir.file("tall-jpeg.dcm"), jpeg);
  expect_error_mentioning<InputError>(
      [&] { voxflow::io::detail::read_file_header(dir.file("tall-jpeg.dcm")); },
      {"tall-jpeg.dcm", "Rows (0028,0010)", "the size of its JPEG frames", "found 16387 x"});
}

// A deflated data set (transfer syntax 1.2.840.10008.1.2.1.99) is walked once inflated: GDCM asserted,
// aborting the process, on the elements of a garbage one (a libFuzzer find). A good one still reads.
TEST(DicomSeries, ADeflatedDataSetIsWalkedInflatedBeforeGdcm) {
  TempDir dir;
  auto const slice = one_slice(dir);
  std::string const explicit_le("1.2.840.10008.1.2.1\0", 20), deflated = "1.2.840.10008.1.2.1.99";
  // `data_set` deflated after the slice's meta group, its transfer syntax (and group length) made deflated.
  auto const deflated_file = [&](std::vector<unsigned char> data_set, std::string const& name) {
    std::vector<unsigned char> meta(slice.bytes.begin(),
                                    slice.bytes.begin() + static_cast<std::ptrdiff_t>(slice.data_set_start));
    auto const uid = std::search(meta.begin(), meta.end(), explicit_le.begin(), explicit_le.end());
    EXPECT_NE(uid, meta.end());
    std::size_t const at = static_cast<std::size_t>(uid - meta.begin());
    meta[at - 2] = static_cast<unsigned char>(deflated.size());
    meta.erase(meta.begin() + static_cast<std::ptrdiff_t>(at),
               meta.begin() + static_cast<std::ptrdiff_t>(at + 20));
    meta.insert(meta.begin() + static_cast<std::ptrdiff_t>(at), deflated.begin(), deflated.end());
    meta[140] = static_cast<unsigned char>(meta[140] + 2);  // the group length, 2 bytes longer
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::vector<unsigned char> out(deflateBound(&z, data_set.size()));
    z.next_in = data_set.data();
    z.avail_in = static_cast<uInt>(data_set.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    meta.insert(meta.end(), out.begin(), out.end());
    write_bytes(dir.file(name), meta);
    return dir.file(name);
  };
  std::vector<unsigned char> const data_set(
      slice.bytes.begin() + static_cast<std::ptrdiff_t>(slice.data_set_start), slice.bytes.end());
  EXPECT_NO_THROW(read_dicom_series(deflated_file(data_set, "deflated.dcm")));
  // The same data set cut inside an element, deflated: refused, named.
  std::vector<unsigned char> cut(data_set.begin(), data_set.end() - 7);
  expect_refused_before_gdcm(deflated_file(cut, "deflated-cut.dcm"));
}

// GDCM's image reader asserted, aborting the process, on a PhotometricInterpretation it does not know
// ("PALETTE COL", a libFuzzer find), and aborts on a palette without its lookup tables. Both refused, named.
TEST(DicomSeries, AnUnknownPhotometricInterpretationOrAPaletteWithoutTablesIsRefusedBeforeGdcm) {
  TempDir dir;
  auto const bytes = one_slice(dir).bytes;
  std::string const monochrome("MONOCHROME2 ");
  auto const at = std::search(bytes.begin(), bytes.end(), monochrome.begin(), monochrome.end());
  ASSERT_NE(at, bytes.end());
  // The element's value replaced by `value` (of even length), its 16-bit length with it.
  auto const with_value = [&](std::string const& value, std::string const& name) {
    auto changed = bytes;
    auto const value_at = at - bytes.begin();
    changed.erase(changed.begin() + value_at, changed.begin() + value_at + 12);
    changed.insert(changed.begin() + value_at, value.begin(), value.end());
    changed[static_cast<std::size_t>(value_at) - 2] = static_cast<unsigned char>(value.size());
    write_bytes(dir.file(name), changed);
    return dir.file(name);
  };
  expect_error_mentioning<InputError>(
      [&] { read_dicom_series(with_value("PALETTE COL ", "unknown.dcm")); },
      {"unknown.dcm", "PhotometricInterpretation (0028,0004)", "'PALETTE COL'"});
  expect_error_mentioning<InputError>([&] { read_dicom_series(with_value("PALETTE COLOR ", "palette.dcm")); },
                                      {"palette.dcm", "lookup tables"});
  EXPECT_NO_THROW(read_dicom_series(with_value("MONOCHROME1 ", "monochrome1.dcm")));
}

// A Part-10 file must start with its meta group and name its transfer syntax: without them GDCM guesses the
// encoding (a libFuzzer find: the first group byte-swapped made it read big-endian lengths of gigabytes).
TEST(DicomSeries, APart10FileWithoutItsMetaGroupIsRefusedBeforeGdcm) {
  TempDir dir;
  auto slice = one_slice(dir);
  slice.bytes[132] = 0x02, slice.bytes[133] = 0x27;  // (0002,0000) becomes (2702,0000)
  write_bytes(dir.file("no-meta.dcm"), slice.bytes);
  expect_refused_before_gdcm(dir.file("no-meta.dcm"));
}

// GDCM's image reader asserts, aborting the process, on an image pixel attribute whose VR its dictionary
// does not allow (a libFuzzer find: PixelRepresentation written as DT); the file is now refused, named,
// first.
TEST(DicomSeries, AnImagePixelAttributeWithTheWrongVrIsRefusedBeforeGdcmDecodes) {
  TempDir dir;
  auto bytes = one_slice(dir).bytes;
  std::vector<unsigned char> const pixel_representation{0x28, 0x00, 0x03, 0x01, 'U', 'S'};
  auto const at =
      std::search(bytes.begin(), bytes.end(), pixel_representation.begin(), pixel_representation.end());
  ASSERT_NE(at, bytes.end());
  at[4] = 'D', at[5] = 'T';
  write_bytes(dir.file("wrong-vr.dcm"), bytes);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("wrong-vr.dcm")); },
                                      {"wrong-vr.dcm", "PixelRepresentation (0028,0103)", "US, found DT"});
  // SpacingBetweenSlices (0018,0088) as AE: GDCM's ImageHelper asserted on it.
  bytes = one_slice(dir).bytes;
  std::vector<unsigned char> const spacing{0x18, 0x00, 0x88, 0x00, 'D', 'S'};
  auto const found = std::search(bytes.begin(), bytes.end(), spacing.begin(), spacing.end());
  ASSERT_NE(found, bytes.end());
  found[4] = 'A', found[5] = 'E';
  write_bytes(dir.file("wrong-vr-2.dcm"), bytes);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("wrong-vr-2.dcm")); },
                                      {"wrong-vr-2.dcm", "SpacingBetweenSlices (0018,0088)", "DS, found AE"});
}

// GDCM's JPEG codec asserts, aborting the process, when no implementation fits the bit depth (a libFuzzer
// find: BitsAllocated 29968 in a JPEG lossless file); the bit depths are now checked before any codec runs.
TEST(DicomSeries, BitDepthsNoCodecHandlesAreRefusedBeforeGdcmDecodes) {
  TempDir dir;
  auto bytes = one_slice(dir, true).bytes;
  std::vector<unsigned char> const bits_allocated{0x28, 0x00, 0x00, 0x01, 'U', 'S', 0x02, 0x00};
  auto const at = std::search(bytes.begin(), bytes.end(), bits_allocated.begin(), bits_allocated.end());
  ASSERT_NE(at, bytes.end());
  at[9] = 0x75;  // 16 becomes 0x7510
  write_bytes(dir.file("bits.dcm"), bytes);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("bits.dcm")); },
                                      {"bits.dcm", "BitsAllocated (0028,0100)", "found 29968"});
  // Without BitsStored, GDCM's 16-bit JPEG codec asserted (a libFuzzer find): the element is required.
  write_bytes(dir.file("no-bits-stored.dcm"),
              without_element(one_slice(dir, true).bytes, {0x28, 0x00, 0x01, 0x01}));
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("no-bits-stored.dcm")); },
                                      {"no-bits-stored.dcm", "BitsStored (0028,0101)", "missing"});
  // 32 bits allocated and 16 stored: GDCM's image codec asserted, clearing the unused bits (a libFuzzer find,
  // native pixel data of 64 bits allocated).
  bytes = one_slice(dir).bytes;
  auto const native = std::search(bytes.begin(), bytes.end(), bits_allocated.begin(), bits_allocated.end());
  ASSERT_NE(native, bytes.end());
  native[8] = 32, native[9] = 0;
  write_bytes(dir.file("32-bit.dcm"), bytes);
  expect_error_mentioning<InputError>(
      [&] { read_dicom_series(dir.file("32-bit.dcm")); },
      {"32-bit.dcm", "BitsStored (0028,0101)", "BitsAllocated (32)", "found 16"});
}

// GDCM's image reader takes a RescaleIntercept without a RescaleSlope for a slope of 0 and asserts,
// aborting the process (a libFuzzer find: the slope's tag mutated); the pair is now required first.
TEST(DicomSeries, ARescaleInterceptWithoutItsSlopeIsRefusedBeforeGdcmDecodes) {
  TempDir dir;
  write_bytes(dir.file("no-slope.dcm"),
              without_element(one_slice(dir, true).bytes, {0x28, 0x00, 0x53, 0x10}));
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("no-slope.dcm")); },
                                      {"no-slope.dcm", "RescaleSlope (0028,1053)", "missing"});
}

// GDCM reads a header up to the first tag at or past the pixel data's, so the checks above missed the
// elements after one such tag out of order, and its image reader asserted, aborting the process, on them (a
// libFuzzer find: (0028,0102) became (8028,0102), hiding a RescaleIntercept without its slope). Such files
// are refused, named, first; other elements out of order GDCM sorts, and they are read.
TEST(DicomSeries, ElementsOutOfTagOrderPastThePixelDataTagAreRefusedBeforeGdcm) {
  TempDir dir;
  auto bytes = one_slice(dir).bytes;
  std::vector<unsigned char> const high_bit{0x28, 0x00, 0x02, 0x01, 'U', 'S'};
  auto const at = std::search(bytes.begin(), bytes.end(), high_bit.begin(), high_bit.end());
  ASSERT_NE(at, bytes.end());
  at[1] = 0x80;  // (0028,0102) becomes (8028,0102)
  write_bytes(dir.file("out-of-order.dcm"), bytes);
  expect_error_mentioning<InputError>(
      [&] { read_dicom_series(dir.file("out-of-order.dcm")); },
      {"out-of-order.dcm", "ascending tag order", "(8028,0102) before (0028,"});
  // Columns before Rows: out of order, below the pixel data's tag, read as GDCM sorts them.
  auto const original = one_slice(dir).bytes;
  bytes = original;
  std::vector<unsigned char> const rows{0x28, 0x00, 0x10, 0x00, 'U', 'S', 0x02, 0x00};
  auto const rows_at = std::search(bytes.begin(), bytes.end(), rows.begin(), rows.end());
  ASSERT_NE(rows_at, bytes.end());
  ASSERT_EQ(rows_at[11], 0x00);  // (0028,0011) Columns follows
  ASSERT_EQ(rows_at[12], 0x11);
  std::rotate(rows_at, rows_at + 10, rows_at + 20);
  write_bytes(dir.file("columns-first.dcm"), bytes);
  write_bytes(dir.file("in-order.dcm"), original);
  auto const swapped = read_dicom_series(dir.file("columns-first.dcm"));
  auto const in_order = read_dicom_series(dir.file("in-order.dcm"));
  EXPECT_EQ(swapped.image.dims, in_order.image.dims);
  EXPECT_EQ(swapped.image.data, in_order.image.data);
  // A tag written twice (pydicom ships such a file) is not out of order: GDCM keeps one.
  bytes = one_slice(dir).bytes;
  std::size_t const high_bit_at = static_cast<std::size_t>(
      std::search(bytes.begin(), bytes.end(), high_bit.begin(), high_bit.end()) - bytes.begin());
  ASSERT_LT(high_bit_at, bytes.size());
  std::vector<unsigned char> const element(bytes.begin() + static_cast<std::ptrdiff_t>(high_bit_at),
                                           bytes.begin() + static_cast<std::ptrdiff_t>(high_bit_at + 10));
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(high_bit_at), element.begin(), element.end());
  write_bytes(dir.file("twice.dcm"), bytes);
  EXPECT_NO_THROW(read_dicom_series(dir.file("twice.dcm")));
}

// GDCM keeps the first of a tag written twice, and the structure walk took the last TransferSyntaxUID: a JPEG
// file whose ImplementationClassUID (0002,0012) had become a second (0002,0010) passed the walk as another
// encoding, its frames unchecked, and GDCM's JPEG codec dereferenced a null pointer on a 40-bit frame (a
// libFuzzer find). The walk now reads the encoding GDCM will.
TEST(DicomSeries, TheFirstOfTwoTransferSyntaxesDecidesWhichChecksRun) {
  TempDir dir;
  auto bytes = one_slice(dir, true).bytes;
  std::vector<unsigned char> const implementation{0x02, 0x00, 0x12, 0x00, 'U', 'I'};
  auto const at = std::search(bytes.begin(), bytes.end(), implementation.begin(), implementation.end());
  ASSERT_NE(at, bytes.end());
  at[2] = 0x10;  // (0002,0012) becomes a second (0002,0010)
  std::size_t const table = offset_table_item(bytes);
  ASSERT_NE(table, 0u);
  std::size_t const frame = table + 8 + u32_at(bytes, table + 4) + 8;
  std::vector<unsigned char> const sof3{0xFF, 0xC3};
  auto const sof =
      std::search(bytes.begin() + static_cast<std::ptrdiff_t>(frame), bytes.end(), sof3.begin(), sof3.end());
  ASSERT_NE(sof, bytes.end());
  write_bytes(dir.file("two-syntaxes.dcm"), bytes);
  EXPECT_NO_THROW(read_dicom_series(dir.file("two-syntaxes.dcm")));
  sof[4] = 40;  // FF C3, the segment's length, then the sample precision
  write_bytes(dir.file("two-syntaxes-40-bit.dcm"), bytes);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("two-syntaxes-40-bit.dcm")); },
                                      {"two-syntaxes-40-bit.dcm", "40-bit samples"});
}

// GDCM reads a TransferSyntaxUID up to its first NUL; the structure walk read past it and took
// "1.2.840.10008.1.2", a NUL and more for explicit VR, while GDCM read the data set as implicit VR and
// allocated the 3.7 GB that value bytes claimed as a length (a libFuzzer find). Refused first, as is a UID
// with other characters than digits and dots.
TEST(DicomSeries, ATransferSyntaxIsReadUpToItsFirstNulAsGdcmReadsIt) {
  TempDir dir;
  auto const original = one_slice(dir).bytes;
  std::vector<unsigned char> const transfer_syntax{0x02, 0x00, 0x10, 0x00, 'U', 'I'};
  std::size_t const at = static_cast<std::size_t>(
      std::search(original.begin(), original.end(), transfer_syntax.begin(), transfer_syntax.end()) -
      original.begin());
  ASSERT_LT(at, original.size());
  std::string const value(original.begin() + static_cast<std::ptrdiff_t>(at + 8),
                          original.begin() + static_cast<std::ptrdiff_t>(at + 8 + original[at + 6]));
  ASSERT_EQ(value, std::string("1.2.840.10008.1.2.1\0", 20));
  auto bytes = original;
  bytes[at + 8 + 17] = 0;  // "1.2.840.10008.1.2", NUL, "1", NUL: implicit VR, as GDCM reads it
  write_bytes(dir.file("nul.dcm"), bytes);
  expect_refused_before_gdcm(dir.file("nul.dcm"));
  bytes = original;
  bytes[at + 8 + 18] = 'x';  // "1.2.840.10008.1.2.x"
  write_bytes(dir.file("letter.dcm"), bytes);
  expect_refused_before_gdcm(dir.file("letter.dcm"));
  bytes = original;
  bytes[at + 8 + 19] = ' ';  // trailing space padding, as GDCM trims it
  write_bytes(dir.file("space.dcm"), bytes);
  EXPECT_NO_THROW(read_dicom_series(dir.file("space.dcm")));
}

// A raw data set (no preamble) that starts with a meta group is read by GDCM in the encoding the group names:
// its JPEG frames went unchecked, and GDCM's lossless codec asserted, aborting the process, on 24 bytes
// between two marker segments (a libFuzzer find). They are now checked as in a Part-10 file, and a group
// naming an encoding the structure walk did not follow is not taken for DICOM.
TEST(DicomSeries, ARawDataSetWithAMetaGroupGetsTheChecksOfItsTransferSyntax) {
  TempDir dir;
  auto const part10 = one_slice(dir, true).bytes;
  std::vector<unsigned char> const raw(part10.begin() + 132, part10.end());  // no preamble, no "DICM"
  write_bytes(dir.file("raw.dcm"), raw);
  EXPECT_EQ(voxflow::io::detail::check_structure(dir.file("raw.dcm")).structure,
            voxflow::io::detail::Structure::raw_complete);
  std::size_t const table = offset_table_item(raw);
  ASSERT_NE(table, 0u);
  std::size_t const fragment = table + 8 + u32_at(raw, table + 4);
  std::vector<unsigned char> const sos{0xFF, 0xDA};
  auto const sos_at = std::search(raw.begin() + static_cast<std::ptrdiff_t>(fragment + 10), raw.end(),
                                  sos.begin(), sos.end());
  ASSERT_NE(sos_at, raw.end());
  auto bytes = raw;
  bytes.insert(bytes.begin() + (sos_at - raw.begin()), 24, 0x11);
  set_u32_at(bytes, fragment + 4, u32_at(raw, fragment + 4) + 24);
  write_bytes(dir.file("raw-extraneous.dcm"), bytes);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("raw-extraneous.dcm")); },
                                      {"raw-extraneous.dcm", "24 bytes between its marker segments"});
  // The meta group naming implicit VR for a data set walked as explicit VR.
  std::string const lossless = "1.2.840.10008.1.2.4.70";
  auto const uid = std::search(bytes.begin(), bytes.end(), lossless.begin(), lossless.end());
  ASSERT_NE(uid, bytes.end());
  std::string const implicit("1.2.840.10008.1.2\0\0\0\0\0", 22);
  std::copy(implicit.begin(), implicit.end(), uid);
  write_bytes(dir.file("raw-implicit.dcm"), bytes);
  EXPECT_EQ(voxflow::io::detail::check_structure(dir.file("raw-implicit.dcm")).structure,
            voxflow::io::detail::Structure::not_dicom);
}

// A meta group without a preamble goes through GDCM's compatibility reader, which asserted (aborting the
// process) on two bytes after its last element: this 22-byte file is a libFuzzer find. Refused, named.
TEST(DicomSeries, ARawMetaGroupWithTrailingBytesIsRefusedBeforeGdcm) {
  TempDir dir;
  std::vector<unsigned char> const bytes{0x02, 0x00, 0x13, 0x00, 'S',  'H',  0x0C, 0x00, 'G',  'D',  'C',
                                         0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x01, 0x00, 0x00};
  write_bytes(dir.file("raw-meta.dcm"), bytes);
  EXPECT_EQ(voxflow::io::detail::check_structure(dir.file("raw-meta.dcm")).structure,
            voxflow::io::detail::Structure::not_dicom);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("raw-meta.dcm")); }, {"raw-meta.dcm"});
  // The same path asserted on a meta group written in implicit VR (a 16-byte libFuzzer find: two
  // (0002,0000) elements of length 0).
  std::vector<unsigned char> const implicit_meta{0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                                 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  write_bytes(dir.file("implicit-meta.dcm"), implicit_meta);
  EXPECT_EQ(voxflow::io::detail::check_structure(dir.file("implicit-meta.dcm")).structure,
            voxflow::io::detail::Structure::not_dicom);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("implicit-meta.dcm")); },
                                      {"implicit-meta.dcm"});
  // And it reads a meta element of an unknown VR ("CQ") as implicit VR, its VR and length bytes as a length
  // of 1.5 GB that it allocated (a 49-byte libFuzzer find).
  std::vector<unsigned char> unknown_vr{0x02, 0x00, 0x60, 0x00, 'C', 'Q', 0x00, 0x5D};
  unknown_vr.resize(49, 0x00);
  write_bytes(dir.file("unknown-vr-meta.dcm"), unknown_vr);
  EXPECT_EQ(voxflow::io::detail::check_structure(dir.file("unknown-vr-meta.dcm")).structure,
            voxflow::io::detail::Structure::not_dicom);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("unknown-vr-meta.dcm")); },
                                      {"unknown-vr-meta.dcm"});
  // And asserts, aborting the process, on a sequence in the meta group (a 35-byte find).
  std::vector<unsigned char> sequence{0x02, 0x00, 0x60, 0x00, 'S', 'Q'};
  sequence.resize(35, 0x00);
  write_bytes(dir.file("sequence-meta.dcm"), sequence);
  EXPECT_EQ(voxflow::io::detail::check_structure(dir.file("sequence-meta.dcm")).structure,
            voxflow::io::detail::Structure::not_dicom);
  // And asserts when the file ends after the meta group (an 8-byte find: one empty UI element).
  write_bytes(dir.file("meta-only.dcm"), {0x02, 0x00, 0x00, 0x02, 'U', 'I', 0x00, 0x00});
  EXPECT_EQ(voxflow::io::detail::check_structure(dir.file("meta-only.dcm")).structure,
            voxflow::io::detail::Structure::not_dicom);
  expect_error_mentioning<InputError>([&] { read_dicom_series(dir.file("meta-only.dcm")); },
                                      {"meta-only.dcm"});
}

// The same rule for a Part-10 file: its meta group holds the VRs of PS3.10 only (UL, OB, UI, SH, AE, UR).
TEST(DicomSeries, APart10MetaElementOfAnotherVrIsRefusedBeforeGdcm) {
  TempDir dir;
  auto slice = one_slice(dir);
  // (0002,0000) UL becomes (0002,0000) SQ: the group length element at byte 132.
  slice.bytes[136] = 'S', slice.bytes[137] = 'Q';
  write_bytes(dir.file("sq-meta.dcm"), slice.bytes);
  expect_refused_before_gdcm(dir.file("sq-meta.dcm"));
}
