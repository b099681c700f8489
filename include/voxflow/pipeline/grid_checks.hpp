// Header-level checks every modality's check_inputs applies to its image inputs: an input is 3-D where one
// volume is expected, and every image of a subject lies on the voxel grid of its main series.
#ifndef VOXFLOW_PIPELINE_GRID_CHECKS_HPP
#define VOXFLOW_PIPELINE_GRID_CHECKS_HPP

#include <voxflow/io/nifti_image.hpp>

#include <string>

namespace voxflow::pipeline {

// InputError naming `other` and `field` unless `other` has the voxel grid of `reference`.
void require_same_grid(io::NiftiHeaderInfo const& reference, io::NiftiHeaderInfo const& other,
                       std::string const& field);

// The header of a NIfTI file that holds one volume; InputError naming `field` otherwise.
io::NiftiHeaderInfo require_3d(std::string const& path, std::string const& field);

}  // namespace voxflow::pipeline

#endif
