// A synthetic enhanced (multi-frame) MR object (write_synthetic_enhanced_dicom, see synthetic_dicom.hpp):
// every image of a series in one file, where each frame's position, time and b-value are known only from
// the functional groups, and the frames are stored out of order. Not for clinical data, not in the library.
#include "dicom_data_set_builder.hpp"
#include "synthetic_dicom.hpp"

#include <voxflow/core/errors.hpp>

#include <gdcmFile.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <gdcmUIDGenerator.h>
#include <gdcmWriter.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace voxflow::io {

using synthetic::DataSetBuilder;
using synthetic::ds;

namespace {

// The functional groups that every frame shares: pixel measures, orientation, rescaling, MR timing and echo.
gdcm::DataSet shared_groups(SyntheticDicomSpec const& spec) {
  gdcm::DataSet shared, measures, orientation, rescale, timing, echo;
  DataSetBuilder m(measures);
  m.text(0x0028, 0x0030, gdcm::VR::DS, ds({spec.pixel_spacing[0], spec.pixel_spacing[1]}));
  m.text(0x0018, 0x0050, gdcm::VR::DS, ds(spec.slice_thickness));
  m.text(0x0018, 0x0088, gdcm::VR::DS, ds(std::abs(spec.slice_spacing)));
  DataSetBuilder(orientation)
      .text(0x0020, 0x0037, gdcm::VR::DS,
            ds(std::vector<double>(spec.orientation.begin(), spec.orientation.end())));
  DataSetBuilder r(rescale);
  r.text(0x0028, 0x1053, gdcm::VR::DS, ds(spec.rescale_slope));
  r.text(0x0028, 0x1052, gdcm::VR::DS, ds(spec.rescale_intercept));
  r.text(0x0028, 0x1054, gdcm::VR::LO, "US");
  DataSetBuilder t(timing);
  t.text(0x0018, 0x0080, gdcm::VR::DS, ds(spec.repetition_time_ms));
  t.text(0x0018, 0x1314, gdcm::VR::DS, ds(spec.flip_angle_deg));
  DataSetBuilder(echo).fd(0x0018, 0x9082, spec.echo_time_ms);
  DataSetBuilder s(shared);
  s.group(0x0028, 0x9110, measures);     // PixelMeasuresSequence
  s.group(0x0020, 0x9116, orientation);  // PlaneOrientationSequence
  s.group(0x0028, 0x9145, rescale);      // PixelValueTransformationSequence
  s.group(0x0018, 0x9112, timing);       // MRTimingAndRelatedParametersSequence
  s.group(0x0018, 0x9114, echo);         // MREchoSequence
  return shared;
}

// The functional groups of the image of slice k at time point t.
gdcm::DataSet frame_groups(SyntheticDicomSpec const& spec, int k, int t) {
  auto const& o = spec.orientation;
  std::array<double, 3> const normal{
      {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]}};
  std::vector<double> position(3);
  for (int c = 0; c < 3; ++c) position[c] = spec.first_position[c] + k * spec.slice_spacing * normal[c];
  double const time_s =
      spec.frame_times_s.empty() ? 3.5 * t : spec.frame_times_s.at(static_cast<std::size_t>(t));

  gdcm::DataSet frame, content, plane, diffusion;
  DataSetBuilder c(content);
  c.ul(0x0020, 0x9128, static_cast<uint32_t>(t + 1));  // TemporalPositionIndex
  c.ul(0x0020, 0x9057, static_cast<uint32_t>(k + 1));  // InStackPositionNumber
  c.text(0x0020, 0x9056, gdcm::VR::SH, "1");           // StackID
  c.text(
      0x0018, 0x9074, gdcm::VR::DT,
      synthetic::scan_date(time_s, spec.clock_start_s) + synthetic::time_of_day(time_s, spec.clock_start_s));
  DataSetBuilder(plane).text(0x0020, 0x0032, gdcm::VR::DS, ds(position));
  DataSetBuilder f(frame);
  f.group(0x0020, 0x9111, content);  // FrameContentSequence
  f.group(0x0020, 0x9113, plane);    // PlanePositionSequence
  if (!spec.b_values.empty()) {
    DataSetBuilder(diffusion).fd(0x0018, 0x9087, spec.b_values.at(static_cast<std::size_t>(t)));
    f.group(0x0018, 0x9117, diffusion);  // MRDiffusionSequence
  }
  return frame;
}

}  // namespace

void write_synthetic_enhanced_dicom(std::string const& path, SyntheticDicomSpec const& spec) {
  gdcm::Trace::SetWarning(false);
  gdcm::Trace::SetError(false);
  int const nx = spec.columns, ny = spec.rows, nz = spec.slices, nt = spec.time_points;
  int const frames = nz * nt;
  // Stored frame f holds the image (k, t) = order[f] (as k + nz * t), shuffled.
  std::vector<int> order(static_cast<std::size_t>(frames));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937 rng(spec.shuffle_seed);
  std::shuffle(order.begin(), order.end(), rng);

  gdcm::Writer writer;
  gdcm::File& file = writer.GetFile();
  file.GetHeader().SetDataSetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
  DataSetBuilder b(file.GetDataSet());
  gdcm::UIDGenerator uids;
  b.text(0x0008, 0x0016, gdcm::VR::UI, "1.2.840.10008.5.1.4.1.1.4.1");  // Enhanced MR Image Storage
  b.text(0x0008, 0x0018, gdcm::VR::UI, uids.Generate());
  b.text(0x0008, 0x0008, gdcm::VR::CS, "ORIGINAL\\PRIMARY\\M\\NONE");
  b.text(0x0008, 0x0060, gdcm::VR::CS, "MR");
  b.text(0x0008, 0x0070, gdcm::VR::LO, spec.manufacturer);
  b.text(0x0008, 0x103E, gdcm::VR::LO, spec.series_description);
  b.text(0x0010, 0x0010, gdcm::VR::PN, "Synthetic^Subject");
  b.text(0x0020, 0x000D, gdcm::VR::UI, uids.Generate());
  b.text(0x0020, 0x000E, gdcm::VR::UI,
         spec.series_uid.empty() ? std::string(uids.Generate()) : spec.series_uid);
  b.text(0x0020, 0x0052, gdcm::VR::UI, uids.Generate());
  b.text(0x0020, 0x0011, gdcm::VR::IS, std::to_string(spec.series_number));
  b.text(0x0020, 0x0013, gdcm::VR::IS, "1");
  b.text(0x0018, 0x0087, gdcm::VR::DS, ds(spec.magnetic_field_strength_t));
  b.text(0x0028, 0x0008, gdcm::VR::IS, std::to_string(frames));
  b.pixel_format_16_bit(ny, nx, !spec.unsigned_pixels);
  b.group(0x5200, 0x9229, shared_groups(spec));  // SharedFunctionalGroupsSequence

  std::vector<gdcm::DataSet> per_frame;
  std::size_t const per_image = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  std::vector<uint16_t> pixels(per_image * static_cast<std::size_t>(frames));
  for (int f = 0; f < frames; ++f) {
    int const k = order[static_cast<std::size_t>(f)] % nz, t = order[static_cast<std::size_t>(f)] / nz;
    per_frame.push_back(frame_groups(spec, k, t));
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        int const value = synthetic_stored_value(spec, i, j, k, t);
        pixels[per_image * static_cast<std::size_t>(f) + static_cast<std::size_t>(i + nx * j)] =
            static_cast<uint16_t>(spec.unsigned_pixels ? value : static_cast<int16_t>(value));
      }
  }
  b.sequence(0x5200, 0x9230, per_frame);  // PerFrameFunctionalGroupsSequence
  b.binary(0x7FE0, 0x0010, gdcm::VR::OW, pixels.data(), pixels.size() * 2);
  writer.SetFileName(path.c_str());
  if (!writer.Write()) throw OutputError(path, "GDCM could not write the synthetic enhanced DICOM file");
}

}  // namespace voxflow::io
