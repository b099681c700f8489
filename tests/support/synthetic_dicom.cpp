// Synthetic DICOM MR series (write_synthetic_dicom_series, see synthetic_dicom.hpp): lets the tests produce
// DICOM input with a known geometry, timing and values, in the style of one vendor. Not for clinical data,
// and not part of the library: it is built into voxflow_test_support (tests/CMakeLists.txt).
#include "synthetic_dicom.hpp"

#include "dicom_data_set_builder.hpp"

#include <voxflow/core/errors.hpp>

#include <gdcmDataElement.h>
#include <gdcmDataSet.h>
#include <gdcmFile.h>
#include <gdcmFileMetaInformation.h>
#include <gdcmImageChangeTransferSyntax.h>
#include <gdcmImageReader.h>
#include <gdcmImageWriter.h>
#include <gdcmTag.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <gdcmUIDGenerator.h>
#include <gdcmVR.h>
#include <gdcmWriter.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <random>

namespace voxflow::io {

using synthetic::DataSetBuilder;
using synthetic::ds;
using synthetic::time_of_day;

int synthetic_stored_value(SyntheticDicomSpec const& spec, int i, int j, int k, int t) {
  if (spec.stored_values.empty()) return i + 7 * j + 31 * k + 101 * t;
  return spec
      .stored_values[static_cast<std::size_t>(i + spec.columns * (j + spec.rows * (k + spec.slices * t)))];
}

std::vector<std::string> write_synthetic_dicom_series(std::string const& directory,
                                                      SyntheticDicomSpec const& spec) {
  namespace fs = std::filesystem;
  gdcm::Trace::SetWarning(false);
  gdcm::Trace::SetError(false);
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) throw OutputError(directory, "cannot create the folder: " + ec.message());
  int const nx = spec.columns, ny = spec.rows, nz = spec.slices, nt = spec.time_points;
  std::size_t const per_slice = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  std::size_t const total = per_slice * static_cast<std::size_t>(nz) * static_cast<std::size_t>(nt);
  if (!spec.stored_values.empty() && spec.stored_values.size() != total)
    throw OutputError(directory, "stored_values must hold columns*rows*slices*time_points values");

  gdcm::UIDGenerator uids;
  std::string const series_uid = spec.series_uid.empty() ? std::string(uids.Generate()) : spec.series_uid;
  std::string const study_uid = uids.Generate();
  std::string const frame_uid = uids.Generate();
  auto const& o = spec.orientation;
  std::array<double, 3> const normal{
      {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]}};

  // File numbers shuffled so that names carry no order.
  std::vector<int> numbers(static_cast<std::size_t>(nz * nt));
  std::iota(numbers.begin(), numbers.end(), 1);
  std::mt19937 rng(spec.shuffle_seed);
  std::shuffle(numbers.begin(), numbers.end(), rng);

  std::vector<std::string> paths;
  for (int t = 0; t < nt; ++t) {
    double const time_s =
        spec.frame_times_s.empty() ? 3.5 * t : spec.frame_times_s.at(static_cast<std::size_t>(t));
    for (int k = 0; k < nz; ++k) {
      gdcm::Writer writer;
      gdcm::File& file = writer.GetFile();
      file.GetHeader().SetDataSetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
      gdcm::DataSet& data_set = file.GetDataSet();
      DataSetBuilder b(data_set);
      b.text(0x0008, 0x0016, gdcm::VR::UI, "1.2.840.10008.5.1.4.1.1.4");  // MR Image Storage
      b.text(0x0008, 0x0018, gdcm::VR::UI, uids.Generate());
      b.text(0x0008, 0x0060, gdcm::VR::CS, "MR");
      b.text(0x0008, 0x0070, gdcm::VR::LO, spec.manufacturer);
      b.text(0x0008, 0x103E, gdcm::VR::LO, spec.series_description);
      b.text(0x0010, 0x0010, gdcm::VR::PN, "Synthetic^Subject");
      b.text(0x0020, 0x000D, gdcm::VR::UI, study_uid);
      b.text(0x0020, 0x000E, gdcm::VR::UI, series_uid);
      b.text(0x0020, 0x0052, gdcm::VR::UI, frame_uid);
      b.text(0x0020, 0x0011, gdcm::VR::IS, std::to_string(spec.series_number));
      b.text(0x0020, 0x0013, gdcm::VR::IS, std::to_string(1 + k + nz * t));
      if (spec.dates) {
        b.text(0x0008, 0x0022, gdcm::VR::DA, synthetic::scan_date(time_s, spec.clock_start_s));
        b.text(0x0008, 0x0023, gdcm::VR::DA, synthetic::scan_date(time_s, spec.clock_start_s));
      }
      switch (spec.timing) {
        case DicomTimingStyle::siemens:
          // Per volume, plus a slice offset within the volume (2-D multi-slice acquisition).
          b.text(0x0008, 0x0032, gdcm::VR::TM, time_of_day(time_s + 0.01 * k, spec.clock_start_s));
          b.text(0x0020, 0x0012, gdcm::VR::IS, std::to_string(1 + t));
          break;
        case DicomTimingStyle::ge:
          b.text(0x0008, 0x0032, gdcm::VR::TM, time_of_day(0.0, spec.clock_start_s));
          b.text(0x0020, 0x0100, gdcm::VR::IS, std::to_string(1 + t));
          b.text(0x0018, 0x1060, gdcm::VR::DS, ds(1000.0 * time_s));
          break;
        case DicomTimingStyle::philips:
          b.text(0x0008, 0x0032, gdcm::VR::TM, time_of_day(time_s, spec.clock_start_s));
          b.text(0x0020, 0x0100, gdcm::VR::IS, std::to_string(1 + t));
          b.text(0x0020, 0x0105, gdcm::VR::IS, std::to_string(nt));
          break;
        case DicomTimingStyle::instance_only:
          break;
      }
      std::array<double, 3> position{};
      for (int c = 0; c < 3; ++c) position[c] = spec.first_position[c] + k * spec.slice_spacing * normal[c];
      b.text(0x0020, 0x0032, gdcm::VR::DS, ds({position[0], position[1], position[2]}));
      b.text(0x0020, 0x0037, gdcm::VR::DS, ds(std::vector<double>(o.begin(), o.end())));
      b.text(0x0020, 0x1041, gdcm::VR::DS,
             ds(position[0] * normal[0] + position[1] * normal[1] + position[2] * normal[2]));
      b.text(0x0028, 0x0030, gdcm::VR::DS, ds({spec.pixel_spacing[0], spec.pixel_spacing[1]}));
      b.text(0x0018, 0x0050, gdcm::VR::DS, ds(spec.slice_thickness));
      b.text(0x0018, 0x0088, gdcm::VR::DS, ds(std::abs(spec.slice_spacing)));
      b.text(0x0018, 0x0080, gdcm::VR::DS, ds(spec.repetition_time_ms));
      b.text(0x0018, 0x0081, gdcm::VR::DS, ds(spec.echo_time_ms));
      if (spec.inversion_time_ms >= 0.0) b.text(0x0018, 0x0082, gdcm::VR::DS, ds(spec.inversion_time_ms));
      b.text(0x0018, 0x0087, gdcm::VR::DS, ds(spec.magnetic_field_strength_t));
      b.text(0x0018, 0x1314, gdcm::VR::DS, ds(spec.flip_angle_deg));
      b.text(0x0018, 0x1312, gdcm::VR::CS, "ROW");
      if (!spec.b_values.empty()) {
        double const bv = spec.b_values.at(static_cast<std::size_t>(t));
        if (spec.standard_b_value_tag) b.fd(0x0018, 0x9087, bv);
        std::string const& m = spec.manufacturer;
        if (m.find("SIEMENS") != std::string::npos) {
          b.text(0x0019, 0x0010, gdcm::VR::LO, "SIEMENS MR HEADER");
          b.text(0x0019, 0x100C, gdcm::VR::IS, std::to_string(std::lround(bv)));
        } else if (m.find("GE") != std::string::npos) {
          b.text(0x0043, 0x0010, gdcm::VR::LO, "GEMS_PARM_01");
          b.text(0x0043, 0x1039, gdcm::VR::IS, std::to_string(1000000000 + std::lround(bv)) + "\\8\\0\\0");
        } else if (m.find("Philips") != std::string::npos) {
          b.text(0x2001, 0x0010, gdcm::VR::LO, "Philips Imaging DD 001");
          b.fl(0x2001, 0x1003, static_cast<float>(bv));
        }
      }
      b.text(0x0028, 0x1053, gdcm::VR::DS, ds(spec.rescale_slope));
      b.text(0x0028, 0x1052, gdcm::VR::DS, ds(spec.rescale_intercept));
      b.pixel_format_16_bit(ny, nx, !spec.unsigned_pixels);
      std::vector<uint16_t> pixels(per_slice);
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
          std::size_t const n = static_cast<std::size_t>(i + nx * j);
          int const value = synthetic_stored_value(spec, i, j, k, t);
          pixels[n] = static_cast<uint16_t>(spec.unsigned_pixels ? value : static_cast<int16_t>(value));
        }
      b.binary(0x7FE0, 0x0010, gdcm::VR::OW, pixels.data(), pixels.size() * 2);

      std::string const path =
          (fs::path(directory) /
           (spec.file_prefix + std::to_string(numbers[static_cast<std::size_t>(k + nz * t)])))
              .string();
      writer.SetFileName(path.c_str());
      if (!writer.Write()) throw OutputError(path, "GDCM could not write the synthetic DICOM file");
      if (spec.jpeg_lossless) {
        gdcm::ImageReader reader;
        reader.SetFileName(path.c_str());
        if (!reader.Read()) throw OutputError(path, "GDCM could not read back the synthetic DICOM file");
        gdcm::ImageChangeTransferSyntax change;
        change.SetTransferSyntax(gdcm::TransferSyntax::JPEGLosslessProcess14_1);
        change.SetInput(reader.GetImage());
        if (!change.Change()) throw OutputError(path, "GDCM could not compress the image to JPEG lossless");
        gdcm::ImageWriter compressed;
        compressed.SetFileName(path.c_str());
        compressed.SetFile(reader.GetFile());
        compressed.SetImage(change.GetOutput());
        if (!compressed.Write()) throw OutputError(path, "GDCM could not write the JPEG-compressed file");
      }
      paths.push_back(path);
    }
  }
  return paths;
}

}  // namespace voxflow::io
