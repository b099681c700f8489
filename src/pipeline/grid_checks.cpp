#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/grid_checks.hpp>

namespace voxflow::pipeline {

void require_same_grid(io::NiftiHeaderInfo const& reference, io::NiftiHeaderInfo const& other,
                       std::string const& field) {
  std::string const difference =
      io::grid_difference(reference.geometry, reference.dims, other.geometry, other.dims);
  require_input(difference.empty(), other.path, field,
                "the voxel grid of " + reference.path + " (" + std::to_string(reference.dims[0]) + "x" +
                    std::to_string(reference.dims[1]) + "x" + std::to_string(reference.dims[2]) +
                    " voxels at the same world positions), but " + difference);
}

io::NiftiHeaderInfo require_3d(std::string const& path, std::string const& field) {
  auto h = io::read_nifti_header(path);
  require_input(h.dims[3] == 1, path, field, "a 3-D image, found " + std::to_string(h.dims[3]) + " volumes");
  return h;
}

}  // namespace voxflow::pipeline
