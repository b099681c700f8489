// Private to src/io/dicom: one selected series turned into a DicomSeries, the steps in the order in which
// include/voxflow/io/dicom_series.hpp lists their checks.
#ifndef VOXFLOW_SRC_IO_DICOM_SERIES_ASSEMBLY_HPP
#define VOXFLOW_SRC_IO_DICOM_SERIES_ASSEMBLY_HPP

#include "file_header.hpp"

#include <voxflow/io/dicom_series.hpp>

#include <string>
#include <vector>

namespace voxflow::io::detail {

// The image (values rescaled, geometry), acquisition metadata and file of each (slice, time point) of the
// series whose headers are `files`; image.path is `input`. counts is left for the caller.
DicomSeries assemble_series(std::vector<FileHeader> const& files, std::string const& input);

}  // namespace voxflow::io::detail

#endif
