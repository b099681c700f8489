// DICOM MR series on the host (DESIGN.md §3-§6): one series of single-frame MR images (a folder scanned
// recursively, or a list of files) is read into the same NiftiImage as a NIfTI input, with a NIfTI geometry
// (sform and qform, scanner-anatomical) that places every voxel where DICOM says it is, plus the acquisition
// metadata (flip angle, TR, TE, TI, field strength, frame times, b-values) in voxflow units (DESIGN.md §5).
//
// Data layout (the point where the Python reference goes wrong, SPEC.md B-11): DICOM stores a slice row by
// row, pixel (row r, column c) at offset c + Columns * r, with c counting along the row direction (the first
// three ImageOrientationPatient values, "X") and r along the column direction (the last three, "Y"). voxflow
// keeps that order without transposing: voxel (i, j, k, t) has i = c (0..Columns-1), j = r (0..Rows-1), k the
// slice index in increasing order of ImagePositionPatient projected on the slice normal N = X × Y, t the time
// point, and data[i + Columns * (j + Rows * (k + nz * t))]. The voxel-to-world matrix is therefore, in
// DICOM's LPS patient coordinates (PS3.3 C.7.6.2.1.1, extended by the slice axis),
//     P_LPS(i, j, k) = S + i * dc * X + j * dr * Y + k * dz * N,
// with S the ImagePositionPatient of slice 0, dr = PixelSpacing[0] (distance between rows), dc =
// PixelSpacing[1] (distance between columns) and dz the distance between slice positions; NIfTI's RAS
// coordinates negate the first two components (x_RAS = -x_LPS, y_RAS = -y_LPS). Both the sform and the qform
// hold this matrix; pixdim = (dc, dr, dz).
//
// Scope: single-frame images (one slice per file), Siemens mosaics (ImageType MOSAIC: one volume per file,
// its slices tiled; un-tiled with the slice positions Siemens defines, the affine dcm2niix writes) and
// enhanced (multi-frame) MR objects (Philips, Siemens XA, GE: position, orientation, pixel measures,
// rescaling, timing and b-value per frame from the functional groups); a multi-frame image without per-frame
// functional groups is refused with an InputError naming it. One sample per pixel, any transfer syntax GDCM
// decodes (uncompressed little and big endian, RLE, JPEG, JPEG-LS, JPEG 2000 as far as the installed GDCM
// supports them). Both are checked against dcm2niix on the files nibabel and pydicom ship
// (tests/io/test_dicom_package_files.cpp).
#ifndef VOXFLOW_IO_DICOM_SERIES_HPP
#define VOXFLOW_IO_DICOM_SERIES_HPP

#include <voxflow/io/nifti_image.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace voxflow::io {

// Which series to read when the input holds more than one. Empty (the default) accepts only an input with a
// single image series; otherwise the series with this SeriesInstanceUID, or else with this SeriesNumber
// (which must then be unique), is read.
struct DicomSelection {
  std::string series_uid;
  std::optional<int> series_number;
  // How the caller lets a user select a series, named when an input holds several and none is selected.
  std::string selector = "a selection (series UID or number)";
};

// One image series found in the input (for listings and error messages).
struct DicomSeriesInfo {
  std::string series_uid;
  int series_number = 0;  // 0 when the tag is absent
  std::string series_description;
  std::string modality;
  std::size_t file_count = 0;
  std::string first_file;  // in path order
};

// What was found while scanning, besides the series that was read.
struct DicomScanCounts {
  std::size_t files_examined = 0;
  std::size_t non_dicom_skipped = 0;       // neither a Part-10 file nor a raw DICOM data set
  std::size_t non_image_skipped = 0;       // DICOM without an image (DICOMDIR, structured reports, ...)
  std::size_t other_series_files = 0;      // images of series that were not selected
  std::vector<std::string> skipped_files;  // the non-DICOM and non-image files, in path order
};

// Acquisition metadata in voxflow units (DESIGN.md §5). Fields are empty when the tag is absent; the
// require_* accessors throw InputError(first file, "<Name> (gggg,eeee)", expectation) for a caller that
// needs the value.
struct DicomAcquisition {
  std::string manufacturer;        // (0008,0070)
  std::string series_description;  // (0008,103E)
  std::string series_uid;          // (0020,000E)
  int series_number = 0;           // (0020,0011)
  std::string modality;            // (0008,0060)
  std::string first_file;          // the file of slice 0, time point 0 (named in errors)

  std::optional<double> flip_angle_deg;             // FlipAngle (0018,1314), degrees
  std::optional<double> repetition_time_s;          // RepetitionTime (0018,0080), ms in DICOM
  std::optional<double> echo_time_s;                // EchoTime (0018,0081), ms in DICOM
  std::optional<double> inversion_time_s;           // InversionTime (0018,0082), ms in DICOM
  std::optional<double> magnetic_field_strength_t;  // MagneticFieldStrength (0018,0087), tesla

  // Start time of each volume in seconds relative to volume 0 (one entry per time point): the earliest of the
  // volume's slices, taken from the first of TriggerTime (0018,1060, ms), AcquisitionDate+AcquisitionTime
  // (0008,0022/0008,0032) and ContentDate+ContentTime (0008,0023/0008,0033) that is present in every file
  // and strictly increases from volume to volume. Empty, with frame_time_source empty, when none qualifies
  // for a series with several time points; {0} for a single volume.
  std::vector<double> frame_times_s;
  std::string frame_time_source;  // e.g. "TriggerTime (0018,1060)"
  // The tag that ordered the time points (see read_dicom_series); empty for a single volume.
  std::string temporal_order_source;

  // b-value of each volume in s/mm² (diffusion / IVIM), when every file has one: DiffusionBValue (0018,9087),
  // else Siemens (0019,xx0C) "SIEMENS MR HEADER", GE (0043,xx39) "GEMS_PARM_01" (first value, modulo 1e9),
  // Philips (2001,xx03) "Philips Imaging DD 001". Empty otherwise.
  std::vector<double> b_values_s_per_mm2;
  std::string b_value_source;

  double require_flip_angle_deg() const;
  double require_repetition_time_s() const;
  double require_echo_time_s() const;
  double require_inversion_time_s() const;
  double require_magnetic_field_strength_t() const;
  std::vector<double> const& require_frame_times_s() const;
  std::vector<double> const& require_b_values_s_per_mm2() const;
};

// A series read into voxflow's image type. image.path is the input (folder or first file); image.dims is
// (Columns, Rows, slices, time points); the geometry is described at the top of this header.
struct DicomSeries {
  NiftiImage image;
  DicomAcquisition acquisition;
  // The file of each (slice k, time point t), at files[k + nz * t].
  std::vector<std::string> files;
  DicomScanCounts counts;
};

// Reads one DICOM image series. `directory_or_file` is a folder (scanned recursively; symbolic links to files
// are followed, to folders not) or a single file (only that file is read).
//
// Steps, each failing with InputError(file, "<Name> (gggg,eeee)", expectation):
//  - Every file is first walked element by element (meta group, data set, sequences, pixel data fragments)
//    without GDCM: GDCM 3.0 aborts the process on many truncated files and pads truncated native pixel data.
//    A file that is neither Part 10 ("DICM" at byte 128) nor a raw data set starting with group 0008/0002 is
//    skipped and counted as not DICOM. A DICOM file any element of which runs past the end of the file
//    (truncated or corrupt), or an image file (MR/CT/secondary-capture SOP class, or Rows and Columns)
//    without pixel data, is an InputError naming it: a broken slice is never dropped silently; so is one with
//    an element below PixelData's tag written after one at or past it (GDCM's header reader stops there,
//    PS3.5 7.1 requires ascending order), naming both tags. DICOM files without an image (DICOMDIR,
//    structured reports, ...) are skipped and counted. Pixel data that GDCM cannot decode (e.g. a corrupt
//    JPEG stream) is an InputError naming the file.
//  - Images are grouped by SeriesInstanceUID. No image at all is an error; several series without a selection
//    is an error listing each (number, description, file count, UID).
//  - Mosaics and multi-frame files are split into single images first (src/io/dicom/image_parts.hpp);
//    acquisition and content times without a date that cross midnight are unwrapped.
//  - Within the series every image must have the same Rows/Columns, PixelSpacing and ImageOrientationPatient
//    (1e-4) and one sample per pixel.
//  - Slices: files are grouped by ImagePositionPatient (within 0.01 mm) and sorted by its projection on the
//    slice normal. Every position must hold the same number of files (the time points) and positions must be
//    equally spaced along the normal (within 0.01 mm + 1 % of the spacing; else a missing slice or a gantry
//    tilt). With one slice, dz is SpacingBetweenSlices (0018,0088), else SliceThickness (0018,0050), else 1.
//  - Time points: within each position, files are ordered by the first key present in every file of the
//    series and distinct within every position: TemporalPositionIdentifier (0020,0100) (GE, Philips),
//    TriggerTime (0018,1060) (GE), AcquisitionDate+AcquisitionTime (0008,0022/0032) (Siemens: per volume or
//    per slice), AcquisitionNumber (0020,0012), InstanceNumber (0020,0013). When no key qualifies, the error
//    names the position with indistinguishable files. When NumberOfTemporalPositions (0020,0105) is present
//    it must equal the number of time points found.
//  - Values: stored pixel values (BitsStored bits, signed per PixelRepresentation) times RescaleSlope
//    (0028,1053) plus RescaleIntercept (0028,1052) of each file (defaults 1 and 0). Philips' private
//    floating-point scale (2005,100E) is not applied.
// GDCM's own warnings are switched off (gdcm::Trace) so that the library never prints.
DicomSeries read_dicom_series(std::string const& directory_or_file, DicomSelection const& selection = {});
// The same for an explicit list of files (folders in the list are scanned recursively).
DicomSeries read_dicom_series(std::vector<std::string> const& files, DicomSelection const& selection = {});

// read_dicom_series, after reading the series once in a child process: a file on which that child crashes
// (GDCM keeps its assertions on and aborts on some corrupt files that pass voxflow's own checks) is an
// InputError naming it ("a DICOM file that GDCM reads without crashing") instead of the end of the calling
// process. What else the child meets is left to the read in this process, which reports it as
// read_dicom_series does; so is everything where no child can be started. Costs a second read of the series'
// files.
DicomSeries read_dicom_series_guarded(std::string const& directory_or_file,
                                      DicomSelection const& selection = {});

// How many series this process has read with their pixel data (decoding is the expensive part of a DICOM
// input): for diagnostics, and for the tests that check a run decodes its DICOM input once.
std::size_t dicom_series_read_count();

// The image series in a folder (scanned recursively) or file, by series number then UID, without reading any
// pixel data. Throws InputError for a missing path or a corrupt Part-10 file, as read_dicom_series.
std::vector<DicomSeriesInfo> list_dicom_series(std::string const& directory_or_file);

}  // namespace voxflow::io

#endif
