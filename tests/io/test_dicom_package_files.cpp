// DICOM files that other tools wrote, as Debian's python3-nibabel and python3-pydicom ship them for their own
// tests (read from their installed paths, never copied): Siemens mosaics, a Philips enhanced multi-frame
// object, big-endian and compressed transfer syntaxes. Geometry and values are compared with dcm2niix's
// conversion of the same files voxel by voxel, through world coordinates: dcm2niix flips the row axis,
// voxflow keeps DICOM's order, so the affines differ while every voxel must land at the same place.
#include "io_test_support.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/dicom_series.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace voxflow::io;
using voxflow::testing::TempDir;

namespace {

namespace fs = std::filesystem;

// The packages' test-data folders (installed by scripts/bootstrap-deps.sh); overridable for other layouts.
std::string package_folder(char const* variable, char const* installed) {
  char const* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? value : installed;
}
std::string nibabel_data() {
  return package_folder("VOXFLOW_NIBABEL_DICOM_DIR",
                        "/usr/lib/python3/dist-packages/nibabel/nicom/tests/data");
}
std::string pydicom_data() {
  return package_folder("VOXFLOW_PYDICOM_DICOM_DIR",
                        "/usr/lib/python3/dist-packages/pydicom/data/test_files");
}

// A copy of package files in a folder of their own (a series folder), gunzipped where they are compressed.
void stage(std::string const& source, fs::path const& folder) {
  fs::create_directories(folder);
  ASSERT_TRUE(fs::exists(source)) << source << " is missing: install python3-nibabel and python3-pydicom";
  std::string name = fs::path(source).filename().string();
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0) {
    name.resize(name.size() - 3);
    gzFile in = gzopen(source.c_str(), "rb");
    ASSERT_NE(in, nullptr);
    std::vector<unsigned char> bytes;
    unsigned char buffer[1 << 16];
    int n = 0;
    while ((n = gzread(in, buffer, sizeof buffer)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
    gzclose(in);
    voxflow::testing::write_bytes((folder / name).string(), bytes);
  } else {
    fs::copy_file(source, folder / name, fs::copy_options::overwrite_existing);
  }
}

// dcm2niix's conversion of a folder (uncompressed NIfTI, no sidecar).
NiftiImage dcm2niix(fs::path const& dicom, fs::path const& out) {
  fs::create_directories(out);
  std::string const command =
      "dcm2niix -z n -b n -f converted -o '" + out.string() + "' '" + dicom.string() + "' > /dev/null 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  for (auto const& e : fs::directory_iterator(out))
    if (e.path().extension() == ".nii") return read_nifti(e.path().string());
  ADD_FAILURE() << "dcm2niix wrote no NIfTI file for " << dicom;
  return {};
}

using Matrix = std::array<std::array<double, 4>, 4>;

Matrix inverse_affine(Matrix const& m) {
  // The inverse of [R t; 0 1] is [R^-1, -R^-1 t; 0 1], R^-1 by cofactors.
  auto const& a = m;
  double const det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                     a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                     a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  Matrix r{};
  r[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / det;
  r[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / det;
  r[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / det;
  r[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / det;
  r[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / det;
  r[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / det;
  r[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / det;
  r[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / det;
  r[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / det;
  for (int i = 0; i < 3; ++i) r[i][3] = -(r[i][0] * a[0][3] + r[i][1] * a[1][3] + r[i][2] * a[2][3]);
  r[3][3] = 1.0;
  return r;
}

// Every voxel of `ours` lies at the centre of a voxel of `theirs` (within 1 % of a voxel) and holds its
// value.
void expect_same_voxels(NiftiImage const& ours, NiftiImage const& theirs) {
  ASSERT_EQ(ours.dims[3], theirs.dims[3]);
  ASSERT_EQ(ours.voxels_per_volume(), theirs.voxels_per_volume());
  Matrix const to_world = voxel_to_world(ours.geometry);
  Matrix const to_theirs = inverse_affine(voxel_to_world(theirs.geometry));
  Matrix m{};  // ours -> their voxel indices
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      for (int n = 0; n < 4; ++n) m[r][c] += to_theirs[r][n] * to_world[n][c];
  std::size_t mismatches = 0, misplaced = 0;
  std::string first_mismatch;
  for (int64_t k = 0; k < ours.dims[2]; ++k)
    for (int64_t j = 0; j < ours.dims[1]; ++j)
      for (int64_t i = 0; i < ours.dims[0]; ++i) {
        std::array<int64_t, 3> index{};
        for (int r = 0; r < 3; ++r) {
          double const x = m[r][0] * i + m[r][1] * j + m[r][2] * k + m[r][3];
          index[r] = std::llround(x);
          if (std::abs(x - index[r]) > 0.01 || index[r] < 0 || index[r] >= theirs.dims[r]) ++misplaced;
        }
        if (misplaced > 0) continue;
        for (int64_t t = 0; t < ours.dims[3]; ++t) {
          double const a = ours.data[ours.index(i, j, k, t)];
          double const b = theirs.data[theirs.index(index[0], index[1], index[2], t)];
          if (!(std::abs(a - b) <= 1e-4 * std::max(1.0, std::abs(b))) && mismatches++ == 0)
            first_mismatch = "first at voxel (" + std::to_string(i) + "," + std::to_string(j) + "," +
                             std::to_string(k) + "," + std::to_string(t) + "): " + std::to_string(a) +
                             " where dcm2niix has " + std::to_string(b);
        }
      }
  EXPECT_EQ(misplaced, 0u) << "voxels of " << ours.path
                           << " that are not at a voxel centre of dcm2niix's image";
  EXPECT_EQ(mismatches, 0u) << "values of " << ours.path << " that differ from dcm2niix's, "
                            << first_mismatch;
}

TEST(DicomPackageFiles, ASiemensMosaicSeriesIsUntiledIntoItsSlicesAtDcm2niixPositions) {
  TempDir tmp;
  fs::path const series = tmp.path() / "mosaic";
  stage(nibabel_data() + "/0.dcm", series);
  stage(nibabel_data() + "/1.dcm", series);
  DicomSeries const s = read_dicom_series(series.string());
  // 48 tiles of 36 x 36 in a 256 x 256 mosaic (7 tiles per row, 4 pixels unused), two volumes.
  EXPECT_EQ(s.image.dims, (std::array<int64_t, 4>{36, 36, 48, 2}));
  EXPECT_NEAR(s.image.geometry.pixdim[3], 3.0, 1e-6);  // SpacingBetweenSlices
  expect_same_voxels(s.image, dcm2niix(series, tmp.path() / "dcm2niix"));
}

TEST(DicomPackageFiles, SiemensDiffusionMosaicsGiveOneVolumePerBValue) {
  TempDir tmp;
  fs::path const series = tmp.path() / "dwi";
  stage(nibabel_data() + "/siemens_dwi_0.dcm.gz", series);
  stage(nibabel_data() + "/siemens_dwi_1000.dcm.gz", series);
  DicomSeries const s = read_dicom_series(series.string());
  EXPECT_EQ(s.image.dims[3], 2);
  EXPECT_GT(s.image.dims[2], 1);
  ASSERT_EQ(s.acquisition.b_values_s_per_mm2.size(), 2u);
  EXPECT_DOUBLE_EQ(s.acquisition.b_values_s_per_mm2[0], 0.0);
  EXPECT_DOUBLE_EQ(s.acquisition.b_values_s_per_mm2[1], 1000.0);
  expect_same_voxels(s.image, dcm2niix(series, tmp.path() / "dcm2niix"));
}

TEST(DicomPackageFiles, APhilipsEnhancedMultiFrameObjectIsReadFrameByFrame) {
  TempDir tmp;
  fs::path const series = tmp.path() / "philips";
  stage(nibabel_data() + "/philips_mprage.dcm.gz", series);
  DicomSeries const s = read_dicom_series(series.string());
  EXPECT_EQ(s.image.dims, (std::array<int64_t, 4>{256, 256, 176, 1}));
  ASSERT_TRUE(s.acquisition.flip_angle_deg);  // from the shared MR timing group
  EXPECT_DOUBLE_EQ(*s.acquisition.flip_angle_deg, 7.0);
  expect_same_voxels(s.image, dcm2niix(series, tmp.path() / "dcm2niix"));
}

TEST(DicomPackageFiles, BigEndianAndCompressedTransferSyntaxesGiveTheSameImage) {
  TempDir tmp;
  fs::path const reference = tmp.path() / "little";
  stage(pydicom_data() + "/MR_small.dcm", reference);
  DicomSeries const expected = read_dicom_series(reference.string());
  EXPECT_EQ(expected.image.dims, (std::array<int64_t, 4>{64, 64, 1, 1}));
  expect_same_voxels(expected.image, dcm2niix(reference, tmp.path() / "dcm2niix"));
  for (char const* variant :
       {"MR_small_bigendian.dcm", "MR_small_implicit.dcm", "MR_small_expb.dcm", "MR_small_RLE.dcm",
        "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm"}) {
    SCOPED_TRACE(variant);
    fs::path const folder = tmp.path() / variant;
    stage(pydicom_data() + "/" + variant, folder);
    DicomSeries const s = read_dicom_series(folder.string());
    EXPECT_EQ(s.image.dims, expected.image.dims);
    EXPECT_EQ(s.image.data, expected.image.data);
    EXPECT_EQ(voxel_to_world(s.image.geometry), voxel_to_world(expected.image.geometry));
  }
}

TEST(DicomPackageFiles, ATruncatedPackageFileIsAnErrorNamingIt) {
  TempDir tmp;
  fs::path const folder = tmp.path() / "truncated";
  stage(pydicom_data() + "/MR_truncated.dcm", folder);
  try {
    read_dicom_series(folder.string());
    FAIL() << "a truncated file was read";
  } catch (voxflow::InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("MR_truncated.dcm"), std::string::npos) << e.what();
  }
}

TEST(DicomPackageFiles, DecimalRescaleIsAppliedAsDcm2niixAppliesIt) {
  // A Siemens image with RescaleSlope 2 and RescaleIntercept -4096 (nibabel's regression file), which also
  // lacks SeriesInstanceUID (stripped in de-identification).
  TempDir tmp;
  fs::path const series = tmp.path() / "series";
  stage(nibabel_data() + "/decimal_rescale.dcm", series);
  DicomSeries const s = read_dicom_series(series.string());
  EXPECT_EQ(s.image.dims, (std::array<int64_t, 4>{128, 96, 1, 1}));
  expect_same_voxels(s.image, dcm2niix(series, tmp.path() / "dcm2niix"));
}

TEST(DicomPackageFiles, AJpeg2000ImageWithAnEmptySliceThicknessIsRead) {
  // A Siemens MIP in JPEG 2000 whose SliceThickness is present but empty (nibabel's regression file);
  // dcm2niix 1.0.20220720 refuses it ("No valid DICOM images were found"), so only its header values are
  // compared: PixelSpacing, ImagePositionPatient, and a slice thickness left at NIfTI's 1 mm.
  TempDir tmp;
  fs::path const series = tmp.path() / "series";
  stage(nibabel_data() + "/slicethickness_empty_string.dcm", series);
  DicomSeries const s = read_dicom_series(series.string());
  EXPECT_EQ(s.image.dims, (std::array<int64_t, 4>{384, 384, 1, 1}));
  EXPECT_GT(*std::max_element(s.image.data.begin(), s.image.data.end()), 0.0);
  EXPECT_TRUE(std::isfinite(s.image.geometry.pixdim[3]));
  EXPECT_GT(s.image.geometry.pixdim[3], 0.0);
}

// GDCM's image reader aborted the process on three of pydicom's RT Dose files, which lack NumberOfFrames: now
// an error naming the file and the element.
TEST(DicomPackageFiles, AnRtDoseObjectWithoutNumberOfFramesIsAnErrorNamingIt) {
  for (std::string const name : {"rtdose_1frame.dcm", "rtdose_rle_1frame.dcm", "rtdose_expb_1frame.dcm"}) {
    TempDir tmp;
    fs::path const folder = tmp.path() / "dose";
    stage(pydicom_data() + "/" + name, folder);
    try {
      read_dicom_series(folder.string());
      FAIL() << name << " was read";
    } catch (voxflow::InputError const& e) {
      std::string const message = e.what();
      EXPECT_NE(message.find(name), std::string::npos) << message;
      EXPECT_NE(message.find("NumberOfFrames (0028,0008)"), std::string::npos) << message;
    }
  }
}

// GDCM's reader aborted the process on pydicom's DICOMDIR-nooffset: a DICOMDIR beside the images is now
// counted as DICOM without an image, without GDCM parsing it, whatever it holds.
TEST(DicomPackageFiles, ADicomdirBesideTheImagesIsSkippedUnparsed) {
  TempDir tmp;
  fs::path const folder = tmp.path() / "cd";
  stage(pydicom_data() + "/MR_small.dcm", folder);
  for (char const* name : {"DICOMDIR", "DICOMDIR-nooffset"})
    fs::copy_file(pydicom_data() + "/dicomdirtests/" + name, folder / name);
  auto const series = read_dicom_series(folder.string());
  EXPECT_EQ(series.files.size(), 1u);
  EXPECT_EQ(series.counts.non_image_skipped, 2u);
}

TEST(DicomPackageFiles, AMosaicHeaderWithoutPixelDataIsAnErrorNamingIt) {
  TempDir tmp;
  fs::path const folder = tmp.path() / "no-pixels";
  stage(nibabel_data() + "/csa_slice_norm.dcm", folder);
  try {
    read_dicom_series(folder.string());
    FAIL() << "a file without pixel data was read";
  } catch (voxflow::InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("csa_slice_norm.dcm"), std::string::npos) << e.what();
  }
}

}  // namespace
