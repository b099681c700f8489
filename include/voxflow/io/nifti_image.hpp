// NIfTI-1/NIfTI-2 images on the host (DESIGN.md §3-§4): inputs are read into doubles with scl_slope/scl_inter
// applied, and every output map is written with the geometry of the input it came from, so that viewers
// overlay maps and inputs exactly. Headers are parsed and written field by field (the NIfTI C library is used
// only for byte swapping and the quaternion formula), so that no header field is silently changed, the C
// library never prints, and every failure becomes an InputError/OutputError naming the file.
#ifndef VOXFLOW_IO_NIFTI_IMAGE_HPP
#define VOXFLOW_IO_NIFTI_IMAGE_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace voxflow::io {

// Everything of a header that describes where voxels are and how they were acquired: copied from an input to
// the maps computed from it. Values are kept as stored (NIfTI-1 stores floats; they round-trip exactly).
struct NiftiGeometry {
  // pixdim[1..3] voxel size (xyz_units), pixdim[4] time step (time_units); pixdim[0] holds qfac as on disk.
  std::array<double, 8> pixdim{{1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0}};
  int qform_code = 0;  // NIFTI_XFORM_* code; 0: the quaternion fields below are unused
  double quatern_b = 0.0, quatern_c = 0.0, quatern_d = 0.0;
  double qoffset_x = 0.0, qoffset_y = 0.0, qoffset_z = 0.0;
  double qfac = 1.0;                            // +1 or -1 (handedness of the qform)
  int sform_code = 0;                           // NIFTI_XFORM_* code; 0: srow is unused
  std::array<std::array<double, 4>, 3> srow{};  // srow_x, srow_y, srow_z
  int xyz_units = 0;                            // NIFTI_UNITS_* spatial code (2 = mm); 0 = unknown
  int time_units = 0;                           // NIFTI_UNITS_* temporal code (8 = s, 16 = ms, 24 = us)
  // Slice acquisition information (dim_info and the slice timing fields).
  int freq_dim = 0, phase_dim = 0, slice_dim = 0;
  int slice_code = 0;
  int64_t slice_start = 0, slice_end = 0;
  double slice_duration = 0.0;
  double toffset = 0.0;
  // pixdim[4] converted to seconds from time_units. When time_units is 0 (unknown) seconds are assumed and
  // time_unit_assumed is set, so validation can warn; NaN when the fourth axis is not time (Hz, ppm, rad/s).
  double time_step_s = 0.0;
  bool time_unit_assumed = false;
  // Kept as read; written back unless NiftiWriteOptions overrides them.
  int intent_code = 0;
  double intent_p1 = 0.0, intent_p2 = 0.0, intent_p3 = 0.0;
  std::string intent_name;  // at most 15 characters are stored
  std::string description;  // at most 79 characters are stored

  bool operator==(NiftiGeometry const& other) const;
  bool operator!=(NiftiGeometry const& other) const { return !(*this == other); }
};

// NIfTI datatype codes (nifti1.h DT_*) that voxflow reads; complex, RGB and float128 data are refused.
enum class NiftiDatatype : int {
  uint8 = 2,
  int16 = 4,
  int32 = 8,
  float32 = 16,
  float64 = 64,
  int8 = 256,
  uint16 = 512,
  uint32 = 768,
  int64 = 1024,
  uint64 = 1280,
};
std::string datatype_name(int nifti_datatype_code);

// A header without the data: lets the validation stage check every input before loading any.
struct NiftiHeaderInfo {
  std::string path;
  int nifti_version = 1;                    // 1 or 2
  std::array<int64_t, 4> dims{};            // nx, ny, nz, nt (nt = 1 for 3-D images)
  int datatype = 0;                         // on-disk NIfTI datatype code
  double scl_slope = 1.0, scl_inter = 0.0;  // as stored (a slope of 0 means "no scaling")
  NiftiGeometry geometry;
};

// An image in memory: data[x + nx * (y + ny * (z + nz * t))], the order of the file.
struct NiftiImage {
  std::string path;
  std::array<int64_t, 4> dims{};
  NiftiGeometry geometry;
  std::vector<double> data;

  int64_t voxels_per_volume() const { return dims[0] * dims[1] * dims[2]; }
  std::size_t index(int64_t x, int64_t y, int64_t z, int64_t t = 0) const {
    return static_cast<std::size_t>(x + dims[0] * (y + dims[1] * (z + dims[2] * t)));
  }
};

// Reads a .nii or .nii.gz (or a .hdr/.img pair), 3-D or 4-D, any real datatype, scaling applied. Throws
// InputError(path, field, expected) for a missing or non-NIfTI file, a corrupt or truncated gzip stream, zero
// or more than four dimensions, an unsupported datatype, or data that is shorter or longer than the header
// says.
NiftiImage read_nifti(std::string const& path);
NiftiHeaderInfo read_nifti_header(std::string const& path);

// Called with the values values[0 .. count) of the chosen voxels index[first .. first + count) in volume t.
using VoxelValues =
    std::function<void(std::size_t first, std::size_t count, int64_t volume, double const* values)>;
// Reads a 3-D or 4-D image like read_nifti (the same checks, errors and values) but hands over only the
// voxels at `index` (linear indices into one volume): in blocks of voxels, each block for every volume in
// turn. The image never exists as doubles in full, and with ascending indices the stored bytes are given back
// to the system as the blocks pass them. Returns the header.
NiftiHeaderInfo read_nifti_voxels(std::string const& path, std::vector<int64_t> const& index,
                                  VoxelValues const& sink);

constexpr int default_gzip_level = 1;

struct NiftiWriteOptions {
  NiftiDatatype datatype = NiftiDatatype::float32;
  // Integer datatypes store round((value - scl_inter) / scl_slope); a value that does not fit, or a NaN, is
  // an OutputError. Float datatypes store values as given (slope 1, intercept 0).
  double scl_slope = 1.0, scl_inter = 0.0;
  bool override_description = false;  // when true, `description` replaces the geometry's
  std::string description;
  bool override_intent =
      false;  // when true, intent_code/intent_name replace the geometry's (parameters zeroed)
  int intent_code = 0;
  std::string intent_name;
  int nifti_version = 1;  // 1 (read by every tool) or 2
  // .nii.gz only: libdeflate's compression level, 1 (fastest, the default: maps compress little better at
  // higher levels) to 12 (smallest). Every level is plain gzip that any reader accepts.
  int gzip_level = default_gzip_level;
};

// Writes a 3-D map (dims nx, ny, nz; values in file order) with `geometry`. The file is gzip-compressed when
// the name ends with ".nii.gz", plain for ".nii"; any other name is refused. Atomic: a temporary file in the
// same folder is renamed to `path` when complete. Throws OutputError naming `path`.
void write_nifti(std::string const& path, NiftiGeometry const& geometry, std::array<int64_t, 3> dims,
                 std::vector<float> const& values, NiftiWriteOptions const& options = {});
void write_nifti(std::string const& path, NiftiGeometry const& geometry, std::array<int64_t, 3> dims,
                 std::vector<double> const& values, NiftiWriteOptions const& options = {});
// Writes a 4-D series (simulated inputs); the time step is geometry.pixdim[4] in geometry.time_units.
void write_nifti_4d(std::string const& path, NiftiGeometry const& geometry, std::array<int64_t, 4> dims,
                    std::vector<float> const& values, NiftiWriteOptions const& options = {});
void write_nifti_4d(std::string const& path, NiftiGeometry const& geometry, std::array<int64_t, 4> dims,
                    std::vector<double> const& values, NiftiWriteOptions const& options = {});

// A plain geometry for synthetic data: voxel size in mm, qform and sform both scanner-anatomical with the
// given voxel size, origin at voxel (0,0,0), time step in seconds (0 for 3-D).
NiftiGeometry make_geometry(std::array<double, 3> voxel_size_mm, double time_step_s = 0.0);

// Voxel (i,j,k,1) to world (x,y,z,1) by the NIfTI rules: the sform when sform_code > 0, else the qform when
// qform_code > 0, else the voxel size alone (NIfTI "method 1").
std::array<std::array<double, 4>, 4> voxel_to_world(NiftiGeometry const& geometry);

// Same spatial grid: equal nx, ny, nz, and voxel sizes and voxel-to-world matrices within `tolerance`
// (absolute, in the file's spatial units). The number of time points is not compared.
bool same_grid(NiftiGeometry const& a, std::array<int64_t, 4> const& dims_a, NiftiGeometry const& b,
               std::array<int64_t, 4> const& dims_b, double tolerance = 1e-4);
// How b's grid differs from a's, for an error message ("" when same_grid): the first of the matrix size, a
// voxel size (pixdim), the direction of a voxel axis in world space (a flipped or swapped axis, another
// orientation) or the position of voxel (0,0,0), with both values.
std::string grid_difference(NiftiGeometry const& a, std::array<int64_t, 4> const& dims_a,
                            NiftiGeometry const& b, std::array<int64_t, 4> const& dims_b,
                            double tolerance = 1e-4);

}  // namespace voxflow::io

#endif
