// Reading the functional groups of an enhanced MR object (see enhanced_frames.hpp).
#include "enhanced_frames.hpp"

#include "attribute_values.hpp"

#include <voxflow/core/errors.hpp>

namespace voxflow::io::detail {

namespace {

// DICOM DT "YYYYMMDDHHMMSS.FFFFFF" (time and fraction optional) in seconds since 1970.
std::optional<double> parse_date_time_s(std::string const& text) {
  if (text.size() < 8) return std::nullopt;
  auto const day = parse_date_s(text.substr(0, 8));
  if (!day) return std::nullopt;
  std::string time = text.substr(8);
  time = time.substr(0, time.find_first_of("+-"));  // a UTC offset is the same for every frame
  if (time.empty()) return day;
  auto const seconds = parse_time_s(time);
  if (!seconds) return std::nullopt;
  return *day + *seconds;
}

// The values of the functional groups in `groups` (an item of the shared or per-frame sequence) that are
// set, written over `v`.
void read_groups(gdcm::File const& file, gdcm::DataSet const& groups, std::string const& path,
                 FrameValues& v) {
  AttributeReader const g(file, groups, path);
  // Each functional group is a sequence with one item; an attribute inside it is read from that item.
  auto const in = [&](TagName const& group, auto&& read) {
    if (auto const sq = g.sequence(group))
      read(AttributeReader(file, sq->GetItem(1).GetNestedDataSet(), path));
  };
  in(kPlanePositionSequence, [&](AttributeReader const& a) {
    if (auto const p = a.numbers(kImagePosition, 3)) v.position = Vec3{{(*p)[0], (*p)[1], (*p)[2]}};
  });
  in(kPlaneOrientationSequence, [&](AttributeReader const& a) {
    if (auto const o = a.numbers(kImageOrientation, 6))
      v.orientation = std::array<double, 6>{{(*o)[0], (*o)[1], (*o)[2], (*o)[3], (*o)[4], (*o)[5]}};
  });
  in(kPixelMeasuresSequence, [&](AttributeReader const& a) {
    if (auto const s = a.numbers(kPixelSpacing, 2))
      v.pixel_spacing = std::array<double, 2>{{(*s)[0], (*s)[1]}};
    if (auto const t = a.number(kSliceThickness)) v.slice_thickness = t;
    if (auto const t = a.number(kSpacingBetweenSlices)) v.spacing_between_slices = t;
  });
  in(kPixelValueTransformationSequence, [&](AttributeReader const& a) {
    if (auto const s = a.number(kRescaleSlope)) v.slope = s;
    if (auto const i = a.number(kRescaleIntercept)) v.intercept = i;
  });
  in(kMrTimingSequence, [&](AttributeReader const& a) {
    if (auto const tr = a.number(kRepetitionTime)) v.repetition_time_ms = tr;
    if (auto const fa = a.number(kFlipAngle)) v.flip_angle = fa;
  });
  in(kMrEchoSequence, [&](AttributeReader const& a) {
    if (auto const te = a.number(kEffectiveEchoTime)) v.echo_time_ms = te;
  });
  in(kMrDiffusionSequence, [&](AttributeReader const& a) {
    if (auto const b = a.number(kDiffusionBValue)) v.b_value = b;
  });
  in(kFrameContentSequence, [&](AttributeReader const& a) {
    if (auto const t = a.number(kTemporalPositionIndex)) v.temporal_position = t;
    if (auto const dt = a.text(kFrameAcquisitionDateTime))
      if (auto const s = parse_date_time_s(*dt)) v.acquisition_time_s = s;
  });
}

}  // namespace

std::vector<FrameValues> read_frame_values(AttributeReader const& a, gdcm::File const& file, int frames) {
  auto const per_frame = a.sequence(kPerFrameFunctionalGroups);
  if (!per_frame) return {};
  FrameValues shared;
  if (auto const sq = a.sequence(kSharedFunctionalGroups))
    read_groups(file, sq->GetItem(1).GetNestedDataSet(), a.path(), shared);
  auto const items = static_cast<int>(per_frame->GetNumberOfItems());
  if (items != frames)
    throw InputError(a.path(), kPerFrameFunctionalGroups.label(),
                     "one item per frame (NumberOfFrames " + std::to_string(frames) + ", found " +
                         std::to_string(items) + ")");
  std::vector<FrameValues> values(static_cast<std::size_t>(frames), shared);
  for (int f = 0; f < frames; ++f)
    read_groups(file,
                per_frame->GetItem(static_cast<gdcm::SequenceOfItems::SizeType>(f + 1)).GetNestedDataSet(),
                a.path(), values[static_cast<std::size_t>(f)]);
  return values;
}

}  // namespace voxflow::io::detail
