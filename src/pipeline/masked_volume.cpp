#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/masked_volume.hpp>

namespace voxflow::pipeline {

VoxelSelection select_voxels(io::NiftiImage const* mask, std::int64_t volume_voxels) {
  VoxelSelection s;
  s.volume_voxels = volume_voxels;
  s.index.reserve(static_cast<std::size_t>(volume_voxels));
  for (std::int64_t i = 0; i < volume_voxels; ++i)
    if (mask == nullptr || mask->data[static_cast<std::size_t>(i)] > 0.0) s.index.push_back(i);
  return s;
}

Kokkos::View<double**, Kokkos::HostSpace> gather_series(io::NiftiImage const& image,
                                                        VoxelSelection const& voxels) {
  auto const frames = image.dims[3];
  Kokkos::View<double**, Kokkos::HostSpace> series(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::series"), voxels.size(), frames);
  auto const stride = voxels.volume_voxels;
  Kokkos::parallel_for(
      "voxflow::pipeline::gather_series",
      Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, static_cast<std::int64_t>(voxels.size())),
      [&](std::int64_t v) {
        auto const base = voxels.index[static_cast<std::size_t>(v)];
        for (std::int64_t t = 0; t < frames; ++t)
          series(v, t) = image.data[static_cast<std::size_t>(base + t * stride)];
      });
  Kokkos::fence();
  return series;
}

Kokkos::View<double**, Kokkos::HostSpace> read_series(std::string const& nifti_path,
                                                      VoxelSelection const& voxels) {
  auto const header = io::read_nifti_header(nifti_path);
  if (header.dims[0] * header.dims[1] * header.dims[2] != voxels.volume_voxels)
    throw InputError(nifti_path, "dim", "a volume of " + std::to_string(voxels.volume_voxels) + " voxels");
  Kokkos::View<double**, Kokkos::HostSpace> series(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::series"), voxels.size(),
      header.dims[3]);
  io::read_nifti_voxels(nifti_path, voxels.index,
                        [&](std::size_t first, std::size_t count, std::int64_t t, double const* values) {
                          for (std::size_t v = 0; v < count; ++v) series(first + v, t) = values[v];
                        });
  return series;
}

std::vector<double> gather_values(io::NiftiImage const& image, VoxelSelection const& voxels) {
  std::vector<double> values(voxels.size());
  for (std::size_t v = 0; v < voxels.size(); ++v)
    values[v] = image.data[static_cast<std::size_t>(voxels.index[v])];
  return values;
}

std::vector<double> scatter(std::vector<double> const& values, VoxelSelection const& voxels,
                            double background) {
  std::vector<double> volume(static_cast<std::size_t>(voxels.volume_voxels), background);
  for (std::size_t v = 0; v < voxels.size(); ++v)
    volume[static_cast<std::size_t>(voxels.index[v])] = values[v];
  return volume;
}

}  // namespace voxflow::pipeline
