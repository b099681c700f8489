// Listing the series of a scan and choosing the one to read (see series_selection.hpp).
#include "series_selection.hpp"

#include "attribute_names.hpp"

#include <voxflow/core/errors.hpp>

#include <algorithm>

namespace voxflow::io::detail {

namespace {

DicomSeriesInfo info_of(std::vector<FileHeader> const& files) {
  DicomSeriesInfo info;
  FileHeader const& h = files.front();
  info.series_uid = h.series_uid;
  info.series_number = h.series_number.value_or(0);
  info.series_description = h.series_description;
  info.modality = h.modality;
  info.file_count = files.size();
  info.first_file = h.path;
  return info;
}

std::string describe(std::vector<DicomSeriesInfo> const& infos) {
  std::string text;
  for (auto const& info : infos) {
    if (!text.empty()) text += "; ";
    text += "series " + std::to_string(info.series_number) + " '" + info.series_description + "' (" +
            std::to_string(info.file_count) + " files, UID " + info.series_uid + ")";
  }
  return text;
}

}  // namespace

std::vector<DicomSeriesInfo> infos_of(Scan const& s) {
  std::vector<DicomSeriesInfo> infos;
  for (auto const& entry : s.series) infos.push_back(info_of(entry.second));
  std::stable_sort(infos.begin(), infos.end(), [](DicomSeriesInfo const& a, DicomSeriesInfo const& b) {
    return a.series_number < b.series_number;
  });
  return infos;
}

std::vector<FileHeader> const& select_series(Scan const& s, DicomSelection const& selection,
                                             std::string const& input) {
  auto const infos = infos_of(s);
  if (infos.empty())
    throw InputError(input, "DICOM image series",
                     "at least one DICOM image (" + std::to_string(s.counts.files_examined) +
                         " files examined, " + std::to_string(s.counts.non_dicom_skipped) + " not DICOM, " +
                         std::to_string(s.counts.non_image_skipped) + " DICOM without an image)");
  if (!selection.series_uid.empty()) {
    auto const it = s.series.find(selection.series_uid);
    if (it == s.series.end())
      throw InputError(
          input, kSeriesInstanceUID.label(),
          "the selected series " + selection.series_uid + ", which is not among: " + describe(infos));
    return it->second;
  }
  if (selection.series_number) {
    std::vector<DicomSeriesInfo> matches;
    for (auto const& info : infos)
      if (info.series_number == *selection.series_number) matches.push_back(info);
    if (matches.size() != 1)
      throw InputError(input, kSeriesNumber.label(),
                       "exactly one series numbered " + std::to_string(*selection.series_number) +
                           " (found " + std::to_string(matches.size()) +
                           "; series present: " + describe(infos) + "); select by SeriesInstanceUID instead");
    return s.series.at(matches.front().series_uid);
  }
  if (infos.size() > 1)
    throw InputError(input, kSeriesInstanceUID.label(),
                     "a single image series, or " + selection.selector + " naming one of the " +
                         std::to_string(infos.size()) + " series found: " + describe(infos));
  return s.series.begin()->second;
}

}  // namespace voxflow::io::detail
