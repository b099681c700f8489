// The acquisition metadata of a DICOM series (see acquisition_metadata.hpp), and the public
// DicomAcquisition::require_* accessors that name the missing tag for a caller that needs its value.
#include "acquisition_metadata.hpp"

#include "attribute_names.hpp"

#include <voxflow/core/errors.hpp>

#include <optional>
#include <string>

namespace voxflow::io {

namespace detail {

void set_acquisition_metadata(DicomAcquisition& acq, FileHeader const& first) {
  acq.manufacturer = first.manufacturer;
  acq.series_description = first.series_description;
  acq.series_uid = first.series_uid;
  acq.series_number = first.series_number.value_or(0);
  acq.modality = first.modality;
  acq.first_file = first.path;
  acq.flip_angle_deg = first.flip_angle;
  auto const ms = [](std::optional<double> v) -> std::optional<double> {
    if (!v) return std::nullopt;
    return *v / 1000.0;
  };
  acq.repetition_time_s = ms(first.repetition_time_ms);
  acq.echo_time_s = ms(first.echo_time_ms);
  acq.inversion_time_s = ms(first.inversion_time_ms);
  acq.magnetic_field_strength_t = first.field_strength;
}

void set_b_values(DicomAcquisition& acq, std::vector<FileHeader> const& all,
                  SlicePositions const& positions) {
  std::size_t const nt = positions.front().size();
  std::vector<double> b;
  for (std::size_t t = 0; t < nt; ++t) {
    FileHeader const& h = all[positions.front()[t]];
    if (!h.b_value) {
      b.clear();
      break;
    }
    b.push_back(*h.b_value);
  }
  if (!b.empty()) {
    acq.b_values_s_per_mm2 = b;
    acq.b_value_source = all[positions.front().front()].b_value_source;
  }
}

}  // namespace detail

namespace {

std::string missing_for(char const* what) {
  return std::string(what) +
         " (the tag is absent from the DICOM header; give the value in the configuration)";
}

}  // namespace

double DicomAcquisition::require_flip_angle_deg() const {
  if (!flip_angle_deg)
    throw InputError(first_file, detail::kFlipAngle.label(), missing_for("the flip angle in degrees"));
  return *flip_angle_deg;
}
double DicomAcquisition::require_repetition_time_s() const {
  if (!repetition_time_s)
    throw InputError(first_file, detail::kRepetitionTime.label(), missing_for("the repetition time in ms"));
  return *repetition_time_s;
}
double DicomAcquisition::require_echo_time_s() const {
  if (!echo_time_s)
    throw InputError(first_file, detail::kEchoTime.label(), missing_for("the echo time in ms"));
  return *echo_time_s;
}
double DicomAcquisition::require_inversion_time_s() const {
  if (!inversion_time_s)
    throw InputError(first_file, detail::kInversionTime.label(), missing_for("the inversion time in ms"));
  return *inversion_time_s;
}
double DicomAcquisition::require_magnetic_field_strength_t() const {
  if (!magnetic_field_strength_t)
    throw InputError(first_file, detail::kFieldStrength.label(), missing_for("the field strength in tesla"));
  return *magnetic_field_strength_t;
}
std::vector<double> const& DicomAcquisition::require_frame_times_s() const {
  if (frame_times_s.empty())
    throw InputError(
        first_file, detail::kTriggerTime.label() + " or " + detail::kAcquisitionTime.label(),
        "frame times increasing from volume to volume (TriggerTime, AcquisitionTime or ContentTime); "
        "give the time points in the configuration");
  return frame_times_s;
}
std::vector<double> const& DicomAcquisition::require_b_values_s_per_mm2() const {
  if (b_values_s_per_mm2.empty())
    throw InputError(first_file, detail::kDiffusionBValue.label(),
                     missing_for("a b-value in s/mm² in every image (or the vendor's private b-value tag)"));
  return b_values_s_per_mm2;
}

}  // namespace voxflow::io
