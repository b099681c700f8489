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

bool values_exact_in_float32(io::NiftiHeaderInfo const& header) {
  using io::NiftiDatatype;
  bool const unscaled = (header.scl_slope == 0.0 || header.scl_slope == 1.0) && header.scl_inter == 0.0;
  switch (static_cast<NiftiDatatype>(header.datatype)) {
    case NiftiDatatype::float32:
    case NiftiDatatype::uint8:
    case NiftiDatatype::int8:
    case NiftiDatatype::int16:
    case NiftiDatatype::uint16:
      return unscaled;
    default:
      return false;
  }
}

namespace {

template <class Value>
Kokkos::View<Value**, Kokkos::HostSpace> read_series_as(std::string const& nifti_path,
                                                        VoxelSelection const& voxels, std::int64_t frames) {
  Kokkos::View<Value**, Kokkos::HostSpace> series(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::series"), voxels.size(), frames);
  io::read_nifti_voxels(nifti_path, voxels.index,
                        [&](std::size_t first, std::size_t count, std::int64_t t, double const* values) {
                          for (std::size_t v = 0; v < count; ++v)
                            series(first + v, t) = static_cast<Value>(values[v]);
                        });
  return series;
}

}  // namespace

SubjectSeries read_series(std::string const& nifti_path, VoxelSelection const& voxels,
                          SeriesPrecision precision) {
  auto const header = io::read_nifti_header(nifti_path);
  if (header.dims[0] * header.dims[1] * header.dims[2] != voxels.volume_voxels)
    throw InputError(nifti_path, "dim", "a volume of " + std::to_string(voxels.volume_voxels) + " voxels");
  bool const single = precision == SeriesPrecision::float32 ||
                      (precision == SeriesPrecision::automatic && values_exact_in_float32(header));
  if (single) return SubjectSeries(read_series_as<float>(nifti_path, voxels, header.dims[3]));
  return SubjectSeries(read_series_as<double>(nifti_path, voxels, header.dims[3]));
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
