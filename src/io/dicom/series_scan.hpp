// Private to src/io/dicom: the scan of the inputs. Every file under them is read as a header
// (file_header.hpp) and the images are grouped by series; what was skipped is counted for DicomScanCounts.
#ifndef VOXFLOW_SRC_IO_DICOM_SERIES_SCAN_HPP
#define VOXFLOW_SRC_IO_DICOM_SERIES_SCAN_HPP

#include "file_header.hpp"

#include <voxflow/io/dicom_series.hpp>

#include <map>
#include <string>
#include <vector>

namespace voxflow::io::detail {

struct Scan {
  std::map<std::string, std::vector<FileHeader>> series;  // by SeriesInstanceUID, files in path order
  DicomScanCounts counts;
};

// Reads the header of every file under `inputs` (folders recursively; symbolic links to files followed, to
// folders not), in path order within each input. InputError for a missing path or an unreadable folder, and
// as read_file_header. GDCM's own messages are switched off first (gdcm::Trace).
Scan scan(std::vector<std::string> const& inputs);

}  // namespace voxflow::io::detail

#endif
