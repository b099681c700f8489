// Private to src/io/dicom: the series found by a scan, listed (list_dicom_series, error messages) and the one
// to read chosen by a DicomSelection.
#ifndef VOXFLOW_SRC_IO_DICOM_SERIES_SELECTION_HPP
#define VOXFLOW_SRC_IO_DICOM_SERIES_SELECTION_HPP

#include "file_header.hpp"
#include "series_scan.hpp"

#include <voxflow/io/dicom_series.hpp>

#include <string>
#include <vector>

namespace voxflow::io::detail {

// One entry per series of the scan, by series number then UID.
std::vector<DicomSeriesInfo> infos_of(Scan const& s);

// The files of the selected series (see DicomSelection). InputError naming `input` when the scan found no
// image, when the selection matches no series (or several, by number), or when there are several series and
// no selection; the message lists the series present.
std::vector<FileHeader> const& select_series(Scan const& s, DicomSelection const& selection,
                                             std::string const& input);

}  // namespace voxflow::io::detail

#endif
