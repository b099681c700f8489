// Private to src/io/dicom: the time axis of a series. The images at each slice position are put in time
// order by the first tag that tells them apart, and the start time of each volume is taken from the first
// time tag that increases from volume to volume.
#ifndef VOXFLOW_SRC_IO_DICOM_TIME_POINTS_HPP
#define VOXFLOW_SRC_IO_DICOM_TIME_POINTS_HPP

#include "file_header.hpp"
#include "slice_geometry.hpp"

#include <voxflow/io/dicom_series.hpp>

#include <string>
#include <vector>

namespace voxflow::io::detail {

// Acquisition and content times read without a date (anonymisation removes dates) are times of day: a series
// that crosses midnight would be sorted with its last frames first. When no image has a date and the times
// of the series span more than 12 hours, the times before noon are moved to the next day (no series lasts
// 12 hours; one that crosses midnight then spans minutes).
void unwrap_midnight(std::vector<FileHeader>& images);

// Sorts the images of each slice position in time by the first key present in every file and distinct within
// every position: TemporalPositionIdentifier, TriggerTime, AcquisitionDate+AcquisitionTime,
// AcquisitionNumber, InstanceNumber. Returns the key's label ("" for a single time point). InputError when
// no key qualifies, or when NumberOfTemporalPositions of the first file differs from the number of time
// points.
std::string order_time_points(std::vector<FileHeader> const& files, SlicePositions& positions);

// acq.frame_times_s and acq.frame_time_source (see DicomAcquisition) for positions in time order.
void set_frame_times(DicomAcquisition& acq, std::vector<FileHeader> const& files,
                     SlicePositions const& positions);

}  // namespace voxflow::io::detail

#endif
