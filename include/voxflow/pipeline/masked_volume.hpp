// Between images and the fitting kernels: the voxels a mask selects, their time series as a (voxel, time)
// array, and per-voxel results scattered back into full volumes.
#ifndef VOXFLOW_PIPELINE_MASKED_VOLUME_HPP
#define VOXFLOW_PIPELINE_MASKED_VOLUME_HPP

#include <voxflow/core/enum_names.hpp>
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

// How a subject's masked series is held on the host (configuration key series_precision). float32 halves the
// largest allocation of a run; `automatic` takes it where it changes no value: for data stored as float32 or
// as integers of up to 16 bits, without scaling.
enum class SeriesPrecision { automatic, float32, float64 };
inline constexpr EnumTable<SeriesPrecision, 3> series_precision_names{
    {{SeriesPrecision::automatic, "auto"},
     {SeriesPrecision::float32, "float32"},
     {SeriesPrecision::float64, "float64"}}};

// Whether every value of a file with this header is a float32 exactly (read_nifti_voxels gives doubles).
bool values_exact_in_float32(io::NiftiHeaderInfo const& header);

// A subject's (voxel, time) host series in float32 or float64. The chunk driver takes either (visit): it
// hands float64 rows to the kernels as they are and converts float32 rows chunk by chunk.
class SubjectSeries {
 public:
  using Single = Kokkos::View<float**, Kokkos::HostSpace>;
  using Double = Kokkos::View<double**, Kokkos::HostSpace>;

  SubjectSeries() = default;
  explicit SubjectSeries(Double values) : double_(std::move(values)) {}
  explicit SubjectSeries(Single values) : single_(std::move(values)), is_single_(true) {}

  bool single_precision() const { return is_single_; }
  std::size_t voxels() const { return is_single_ ? single_.extent(0) : double_.extent(0); }
  std::size_t samples() const { return is_single_ ? single_.extent(1) : double_.extent(1); }
  double operator()(std::int64_t voxel, std::int64_t sample) const {
    return is_single_ ? static_cast<double>(single_(voxel, sample)) : double_(voxel, sample);
  }
  // f(view) with the series' own view type.
  template <class F>
  decltype(auto) visit(F&& f) const {
    return is_single_ ? f(single_) : f(double_);
  }

 private:
  Double double_;
  Single single_;
  bool is_single_ = false;
};

// The series of the selected voxels read straight from a NIfTI file (io::read_nifti_voxels), frame block by
// frame block, without the full-volume double copy read_nifti makes, held as `precision` says. `voxels` must
// select from a volume of the file's size.
SubjectSeries read_series(std::string const& nifti_path, VoxelSelection const& voxels,
                          SeriesPrecision precision);

// Values of one 3-D image at the selected voxels.
std::vector<double> gather_values(io::NiftiImage const& image, VoxelSelection const& voxels);

// A full volume with `values` at the selected voxels and `background` elsewhere.
std::vector<double> scatter(std::vector<double> const& values, VoxelSelection const& voxels,
                            double background);

}  // namespace voxflow::pipeline

#endif
