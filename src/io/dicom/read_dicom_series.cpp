// The public entry points of include/voxflow/io/dicom_series.hpp: scan the inputs (series_scan.hpp), choose
// a series (series_selection.hpp) and assemble it (series_assembly.hpp). Headers are parsed first to group
// and sort the files; only the files of the selected series are then decoded.
#include "series_assembly.hpp"
#include "series_scan.hpp"
#include "series_selection.hpp"

#include <voxflow/io/dicom_series.hpp>

#include <atomic>
#include <string>
#include <vector>

namespace voxflow::io {

namespace {

std::atomic<std::size_t> series_reads{0};

std::string input_name(std::vector<std::string> const& inputs) {
  if (inputs.size() == 1) return inputs.front();
  return inputs.empty() ? std::string("(no input)")
                        : inputs.front() + " and " + std::to_string(inputs.size() - 1) + " more";
}

DicomSeries read_inputs(std::vector<std::string> const& inputs, DicomSelection const& selection) {
  std::string const input = input_name(inputs);
  detail::Scan const s = detail::scan(inputs);
  auto const& files = detail::select_series(s, selection, input);
  DicomSeries series = detail::assemble_series(files, input);
  ++series_reads;
  series.counts = s.counts;
  series.counts.other_series_files = 0;
  for (auto const& entry : s.series)
    if (entry.first != files.front().series_uid) series.counts.other_series_files += entry.second.size();
  return series;
}

}  // namespace

DicomSeries read_dicom_series(std::string const& directory_or_file, DicomSelection const& selection) {
  return read_inputs({directory_or_file}, selection);
}

DicomSeries read_dicom_series(std::vector<std::string> const& files, DicomSelection const& selection) {
  return read_inputs(files, selection);
}

std::size_t dicom_series_read_count() {
  return series_reads;
}

std::vector<DicomSeriesInfo> list_dicom_series(std::string const& directory_or_file) {
  return detail::infos_of(detail::scan({directory_or_file}));
}

}  // namespace voxflow::io
