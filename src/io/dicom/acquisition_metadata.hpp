// Private to src/io/dicom: the DicomAcquisition fields taken from the headers other than the time axis
// (time_points.hpp): scanner and sequence parameters in voxflow units and the b-value of each volume.
#ifndef VOXFLOW_SRC_IO_DICOM_ACQUISITION_METADATA_HPP
#define VOXFLOW_SRC_IO_DICOM_ACQUISITION_METADATA_HPP

#include "file_header.hpp"
#include "slice_geometry.hpp"

#include <voxflow/io/dicom_series.hpp>

#include <vector>

namespace voxflow::io::detail {

// The series identity and the sequence parameters of `first` (the file of slice 0, time point 0), times in
// seconds.
void set_acquisition_metadata(DicomAcquisition& acq, FileHeader const& first);

// acq.b_values_s_per_mm2 and acq.b_value_source when every volume has a b-value (read at slice 0), for
// positions in time order; left empty otherwise.
void set_b_values(DicomAcquisition& acq, std::vector<FileHeader> const& files,
                  SlicePositions const& positions);

}  // namespace voxflow::io::detail

#endif
