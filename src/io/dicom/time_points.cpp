// The time axis of a DICOM series (see time_points.hpp): which tag orders the time points, and when each
// volume starts.
#include "time_points.hpp"

#include "attribute_names.hpp"
#include "attribute_values.hpp"
#include "image_parts.hpp"

#include <voxflow/core/errors.hpp>

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>

namespace voxflow::io::detail {

namespace {

// A temporal key: a value per file, or nullopt when absent.
struct TemporalKey {
  std::string label;
  std::function<std::optional<double>(FileHeader const&)> value;
};

// The names of the temporal attributes as `ref` carries them: the frames of an enhanced object take their
// order and time from FrameContentSequence, single images from their own attributes.
std::string temporal_position_label(FileHeader const& ref) {
  return from_functional_groups(ref) ? kTemporalPositionIndex.label() + " in " + kFrameContentSequence.label()
                                     : kTemporalPosition.label();
}
std::string acquisition_time_label(FileHeader const& ref) {
  return from_functional_groups(ref)
             ? kFrameAcquisitionDateTime.label() + " in " + kFrameContentSequence.label()
             : kAcquisitionDate.label() + "+" + kAcquisitionTime.label();
}

}  // namespace

void unwrap_midnight(std::vector<FileHeader>& images) {
  constexpr double day_s = 86400.0, half_day_s = 43200.0;
  for (auto field : {&FileHeader::acquisition_time_s, &FileHeader::content_time_s}) {
    double lowest = std::numeric_limits<double>::infinity(), highest = -lowest;
    for (auto const& h : images)
      if (auto const& t = h.*field) {
        lowest = std::min(lowest, *t);
        highest = std::max(highest, *t);
      }
    bool const dated = highest >= day_s;  // a time with its date is seconds since 1970
    if (dated || !(highest - lowest > half_day_s)) continue;
    for (auto& h : images)
      if (auto& t = h.*field; t && *t < half_day_s) *t += day_s;
  }
}

std::string order_time_points(std::vector<FileHeader> const& all, SlicePositions& positions) {
  std::size_t const nt = positions.front().size();
  if (nt < 2) return std::string();
  FileHeader const& ref = all.front();
  std::vector<TemporalKey> const keys = {
      {temporal_position_label(ref), [](FileHeader const& h) { return h.temporal_position; }},
      {kTriggerTime.label(), [](FileHeader const& h) { return h.trigger_time_ms; }},
      {acquisition_time_label(ref), [](FileHeader const& h) { return h.acquisition_time_s; }},
      {kAcquisitionNumber.label(), [](FileHeader const& h) { return h.acquisition_number; }},
      {kInstanceNumber.label(), [](FileHeader const& h) { return h.instance_number; }},
  };
  TemporalKey const* chosen = nullptr;
  for (auto const& key : keys) {
    bool usable = true;
    for (auto const& p : positions) {
      std::vector<double> values;
      for (std::size_t n : p) {
        auto const v = key.value(all[n]);
        if (!v) {
          usable = false;
          break;
        }
        values.push_back(*v);
      }
      if (!usable) break;
      std::sort(values.begin(), values.end());
      if (std::adjacent_find(values.begin(), values.end()) != values.end()) {
        usable = false;
        break;
      }
    }
    if (usable) {
      chosen = &key;
      break;
    }
  }
  if (!chosen)
    throw InputError(
        all[positions.front().front()].path, kTemporalPosition.label(),
        "a tag that tells apart the " + std::to_string(nt) +
            " images at each slice position (TemporalPositionIdentifier, TriggerTime, AcquisitionTime, "
            "AcquisitionNumber or InstanceNumber)");
  for (auto& p : positions)
    std::stable_sort(p.begin(), p.end(), [&](std::size_t a, std::size_t b) {
      return *chosen->value(all[a]) < *chosen->value(all[b]);
    });
  if (auto const declared = ref.number_of_temporal_positions)
    if (static_cast<std::size_t>(*declared) != nt && *declared > 1)
      throw InputError(ref.path, kNumberOfTemporalPositions.label(),
                       std::to_string(nt) +
                           " (the number of images at each slice position; the header says " +
                           number_text(*declared) + ")");
  return chosen->label;
}

void set_frame_times(DicomAcquisition& acq, std::vector<FileHeader> const& all,
                     SlicePositions const& positions) {
  std::size_t const nz = positions.size();
  std::size_t const nt = positions.front().size();
  if (nt == 1) {
    acq.frame_times_s = {0.0};
    acq.frame_time_source = "single volume";
    return;
  }
  struct TimeSource {
    std::string label;
    double scale;
    std::function<std::optional<double>(FileHeader const&)> value;
  };
  std::vector<TimeSource> const sources = {
      {kTriggerTime.label(), 1e-3, [](FileHeader const& h) { return h.trigger_time_ms; }},
      {acquisition_time_label(all.front()), 1.0, [](FileHeader const& h) { return h.acquisition_time_s; }},
      {kContentDate.label() + "+" + kContentTime.label(), 1.0,
       [](FileHeader const& h) { return h.content_time_s; }},
  };
  for (auto const& source : sources) {
    std::vector<double> starts(nt, std::numeric_limits<double>::infinity());
    bool usable = true;
    for (std::size_t t = 0; t < nt && usable; ++t)
      for (std::size_t k = 0; k < nz; ++k) {
        auto const v = source.value(all[positions[k][t]]);
        if (!v) {
          usable = false;
          break;
        }
        starts[t] = std::min(starts[t], *v * source.scale);
      }
    for (std::size_t t = 1; t < nt && usable; ++t) usable = starts[t] > starts[t - 1];
    if (!usable) continue;
    double const first_start = starts.front();
    for (double& start : starts) start -= first_start;
    acq.frame_times_s = starts;
    acq.frame_time_source = source.label;
    break;
  }
}

}  // namespace voxflow::io::detail
