// Private to src/io/dicom: the spatial layout of a series. Checks that every file shares one image plane,
// finds the slice axes, sorts the files into slice positions along the normal, measures the slice spacing,
// and writes the NIfTI geometry (sform and qform, scanner-anatomical) described in
// include/voxflow/io/dicom_series.hpp.
#ifndef VOXFLOW_SRC_IO_DICOM_SLICE_GEOMETRY_HPP
#define VOXFLOW_SRC_IO_DICOM_SLICE_GEOMETRY_HPP

#include "file_header.hpp"

#include <voxflow/io/nifti_image.hpp>

#include <cstddef>
#include <vector>

namespace voxflow::io::detail {

// The images of a series by slice position: positions[k] holds the indices (into the series' files) of the
// images at slice k, slices in increasing order along the normal; positions[k][t] once order_time_points
// (time_points.hpp) has sorted each position in time.
using SlicePositions = std::vector<std::vector<std::size_t>>;

// Unit vectors in LPS: the row direction X, the column direction Y (ImageOrientationPatient) and the slice
// normal N = X × Y.
struct SliceAxes {
  Vec3 x, y, z;
};

// Every file has the Rows/Columns, PixelSpacing and ImageOrientationPatient (1e-4) of the first, one sample
// per pixel, one frame and an ImagePositionPatient; else InputError naming the file.
void check_same_image_plane(std::vector<FileHeader> const& files);

// The axes of `ref`'s ImageOrientationPatient, normalised; InputError unless two orthogonal unit vectors.
SliceAxes slice_axes(FileHeader const& ref);

// The files grouped by ImagePositionPatient (within 0.01 mm) and sorted by its projection on the normal.
// InputError for images of one slice shifted within their plane, or positions holding different numbers of
// images (time points).
SlicePositions group_by_slice_position(std::vector<FileHeader> const& files, SliceAxes const& axes);

// The distance between slices along the normal (mm). Several slices must be equally spaced (within 0.01 mm
// + 1 %), else InputError: a missing slice, uneven spacing or a gantry tilt. One slice:
// SpacingBetweenSlices, else SliceThickness, else 1.
double slice_spacing(std::vector<FileHeader> const& files, SlicePositions const& positions,
                     SliceAxes const& axes);

// The voxel-to-world geometry of the series: sform and qform from the axes scaled by the pixel spacing of
// `ref` and `dz`, at `origin` (ImagePositionPatient of slice 0), in RAS; pixdim with `time_step_s`; the
// phase, frequency and slice dimensions.
void set_scanner_geometry(NiftiGeometry& g, FileHeader const& ref, SliceAxes const& axes, Vec3 const& origin,
                          double dz, double time_step_s);

}  // namespace voxflow::io::detail

#endif
