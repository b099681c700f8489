// Between images and the fitting kernels: the voxels a mask selects, their time series as a (voxel, time)
// array, and per-voxel results scattered back into full volumes.
#ifndef VOXFLOW_PIPELINE_MASKED_VOLUME_HPP
#define VOXFLOW_PIPELINE_MASKED_VOLUME_HPP

#include <voxflow/io/nifti_image.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::pipeline {

// Linear indices (NIfTI order) of the selected voxels of one volume.
struct VoxelSelection {
  std::int64_t volume_voxels = 0;
  std::vector<std::int64_t> index;
  std::size_t size() const { return index.size(); }
};

// Voxels > 0 in `mask` (any 3-D image), or every voxel when mask is null.
VoxelSelection select_voxels(io::NiftiImage const* mask, std::int64_t volume_voxels);

// (voxel, time) host array of the selected voxels of a 4-D image.
Kokkos::View<double**, Kokkos::HostSpace> gather_series(io::NiftiImage const& image,
                                                        VoxelSelection const& voxels);

// The same array read straight from a NIfTI file (io::read_nifti_voxels): the same values, without the
// full-volume double copy read_nifti makes. `voxels` must select from a volume of the file's size.
Kokkos::View<double**, Kokkos::HostSpace> read_series(std::string const& nifti_path,
                                                      VoxelSelection const& voxels);

// Values of one 3-D image at the selected voxels.
std::vector<double> gather_values(io::NiftiImage const& image, VoxelSelection const& voxels);

// A full volume with `values` at the selected voxels and `background` elsewhere.
std::vector<double> scatter(std::vector<double> const& values, VoxelSelection const& voxels,
                            double background);

}  // namespace voxflow::pipeline

#endif
