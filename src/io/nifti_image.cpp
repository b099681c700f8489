// Reading NIfTI headers and data, and the geometry helpers. Writing is in nifti_write.cpp.
#include "gz_file.hpp"
#include "gzip_buffer.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <nifti2_io.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>

namespace voxflow::io {

namespace {

using detail::GzFile;

// Supported on-disk types: every real integer and float type of NIfTI-1/2 except float128 (no portable C++
// type).
bool datatype_supported(int code) {
  switch (static_cast<NiftiDatatype>(code)) {
    case NiftiDatatype::uint8:
    case NiftiDatatype::int16:
    case NiftiDatatype::int32:
    case NiftiDatatype::float32:
    case NiftiDatatype::float64:
    case NiftiDatatype::int8:
    case NiftiDatatype::uint16:
    case NiftiDatatype::uint32:
    case NiftiDatatype::int64:
    case NiftiDatatype::uint64:
      return true;
  }
  return false;
}

uint32_t byte_swapped(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

// Header fields of either version, widened to the NIfTI-2 types.
struct RawHeader {
  int version = 1;
  bool swapped = false;
  bool single_file = true;  // "n+1"/"n+2"; false for a .hdr/.img pair ("ni1"/"ni2")
  int64_t header_bytes = 348;
  int64_t dim[8] = {};
  int datatype = 0;
  double vox_offset = 0.0;
  double scl_slope = 1.0, scl_inter = 0.0;
  NiftiGeometry geometry;
};

template <class Header>
void widen(Header const& h, RawHeader& out) {
  for (int i = 0; i < 8; ++i) {
    out.dim[i] = h.dim[i];
    out.geometry.pixdim[i] = h.pixdim[i];
  }
  out.datatype = h.datatype;
  out.vox_offset = static_cast<double>(h.vox_offset);
  out.scl_slope = h.scl_slope;
  out.scl_inter = h.scl_inter;
  NiftiGeometry& g = out.geometry;
  g.qform_code = h.qform_code;
  g.quatern_b = h.quatern_b;
  g.quatern_c = h.quatern_c;
  g.quatern_d = h.quatern_d;
  g.qoffset_x = h.qoffset_x;
  g.qoffset_y = h.qoffset_y;
  g.qoffset_z = h.qoffset_z;
  // NIfTI: pixdim[0] is qfac, and any value other than -1 means +1.
  g.qfac = h.pixdim[0] < 0 ? -1.0 : 1.0;
  g.pixdim[0] = g.qfac;
  g.sform_code = h.sform_code;
  for (int c = 0; c < 4; ++c) {
    g.srow[0][c] = h.srow_x[c];
    g.srow[1][c] = h.srow_y[c];
    g.srow[2][c] = h.srow_z[c];
  }
  auto const units = static_cast<int>(h.xyzt_units);
  g.xyz_units = units & 0x07;
  g.time_units = units & 0x38;
  auto const dim_info = static_cast<unsigned char>(h.dim_info);
  g.freq_dim = dim_info & 3;
  g.phase_dim = (dim_info >> 2) & 3;
  g.slice_dim = (dim_info >> 4) & 3;
  g.slice_code = static_cast<unsigned char>(h.slice_code);
  g.slice_start = h.slice_start;
  g.slice_end = h.slice_end;
  g.slice_duration = h.slice_duration;
  g.toffset = h.toffset;
  g.intent_code = h.intent_code;
  g.intent_p1 = h.intent_p1;
  g.intent_p2 = h.intent_p2;
  g.intent_p3 = h.intent_p3;
  g.intent_name.assign(h.intent_name, strnlen(h.intent_name, sizeof(h.intent_name)));
  g.description.assign(h.descrip, strnlen(h.descrip, sizeof(h.descrip)));
  double const step = g.pixdim[4];
  g.time_unit_assumed = false;
  switch (g.time_units) {
    case NIFTI_UNITS_SEC:
      g.time_step_s = step;
      break;
    case NIFTI_UNITS_MSEC:
      g.time_step_s = step * 1e-3;
      break;
    case NIFTI_UNITS_USEC:
      g.time_step_s = step * 1e-6;
      break;
    case NIFTI_UNITS_UNKNOWN:
      g.time_step_s = step;
      g.time_unit_assumed = true;
      break;
    default:
      g.time_step_s = std::numeric_limits<double>::quiet_NaN();
  }
}

bool is_gzip(std::string const& path) {
  unsigned char magic[2] = {0, 0};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  std::size_t const got = std::fread(magic, 1, 2, f);
  std::fclose(f);
  return got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

void require_regular_file(std::string const& path, std::string const& what) {
  std::error_code ec;
  auto const status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw InputError(path, "", what + "; the file does not exist");
  if (!std::filesystem::is_regular_file(status))
    throw InputError(path, "", what + "; the path is not a file");
}

// Reads and checks the header; leaves `file` positioned just after it.
RawHeader parse_header(std::string const& path, GzFile& file) {
  std::string const not_nifti = "a NIfTI-1 or NIfTI-2 file (.nii, .nii.gz or .hdr)";
  if (!file.is_open()) throw InputError(path, "", not_nifti + "; the file cannot be opened");
  unsigned char buffer[sizeof(nifti_2_header)] = {};
  int64_t const got = file.read(buffer, 4);
  std::string const gz_note = is_gzip(path) ? " (gzip stream: " + file.error() + ")" : "";
  if (got < 4) throw InputError(path, "sizeof_hdr", not_nifti + "; the file is too short" + gz_note);
  uint32_t sizeof_hdr = 0;
  std::memcpy(&sizeof_hdr, buffer, 4);
  RawHeader raw;
  if (sizeof_hdr == 348 || byte_swapped(sizeof_hdr) == 348) {
    raw.version = 1;
  } else if (sizeof_hdr == 540 || byte_swapped(sizeof_hdr) == 540) {
    raw.version = 2;
  } else {
    throw InputError(path, "sizeof_hdr",
                     not_nifti + "; the first four bytes are not a NIfTI header size (348 or 540)" + gz_note);
  }
  raw.swapped = sizeof_hdr != 348 && sizeof_hdr != 540;
  raw.header_bytes = raw.version == 1 ? 348 : 540;
  if (file.read(buffer + 4, raw.header_bytes - 4) != raw.header_bytes - 4)
    throw InputError(path, "header",
                     "a complete " + std::to_string(raw.header_bytes) +
                         "-byte NIfTI header; the file ends inside it" + gz_note);
  if (raw.version == 1) {
    nifti_1_header h;
    std::memcpy(&h, buffer, sizeof(h));
    if (raw.swapped) nifti_swap_as_nifti1(&h);
    bool const single = std::memcmp(h.magic, "n+1", 4) == 0;
    if (!single && std::memcmp(h.magic, "ni1", 4) != 0)
      throw InputError(
          path, "magic",
          "the NIfTI-1 magic 'n+1' or 'ni1' (an Analyze 7.5 header has no geometry and is not read)");
    raw.single_file = single;
    widen(h, raw);
  } else {
    nifti_2_header h;
    std::memcpy(&h, buffer, sizeof(h));
    if (raw.swapped) nifti_swap_as_nifti2(&h);
    bool const single = std::memcmp(h.magic, "n+2", 4) == 0;
    if (!single && std::memcmp(h.magic, "ni2", 4) != 0)
      throw InputError(path, "magic", "the NIfTI-2 magic 'n+2' or 'ni2'");
    raw.single_file = single;
    widen(h, raw);
  }
  return raw;
}

// Dimensions, datatype and offset checks shared by read_nifti_header and read_nifti.
// The .img file of a .hdr/.img pair, with the same compression suffix.
std::string image_file_of_pair(std::string const& path) {
  for (auto const* ext : {".hdr.gz", ".hdr"}) {
    std::string const e = ext;
    if (path.size() > e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0)
      return path.substr(0, path.size() - e.size()) + (e == ".hdr" ? ".img" : ".img.gz");
  }
  throw InputError(path, "magic", "a .hdr file name for a two-file ('ni1'/'ni2') NIfTI header");
}

// deflate never compresses by more than 1032:1, so a compressed file of n bytes holds at most this many.
constexpr double max_deflate_ratio = 1032.0;

// The data the header claims must fit the file before a byte of it is allocated: a 82-byte .nii.gz claiming
// 10^10 voxels is refused here, not after gigabytes of allocation (or a std::bad_alloc).
void check_data_size(std::string const& path, RawHeader const& raw, NiftiHeaderInfo const& info) {
  int nbyper = 0, swapsize = 0;
  nifti_datatype_sizes(raw.datatype, &nbyper, &swapsize);
  int64_t const voxels = info.dims[0] * info.dims[1] * info.dims[2] * info.dims[3];
  double const data_bytes = static_cast<double>(voxels) * nbyper;
  std::string const data_path = raw.single_file ? path : image_file_of_pair(path);
  std::error_code ec;
  auto const file_bytes = static_cast<double>(std::filesystem::file_size(data_path, ec));
  if (ec) return;  // a missing .img of a pair is reported when the data is read
  double const offset = raw.single_file ? raw.vox_offset : 0.0;
  std::string const claim = std::to_string(info.dims[0]) + "x" + std::to_string(info.dims[1]) + "x" +
                            std::to_string(info.dims[2]) + "x" + std::to_string(info.dims[3]) +
                            " voxels of " + datatype_name(raw.datatype) + " (" +
                            std::to_string(static_cast<int64_t>(data_bytes)) + " bytes)";
  if (is_gzip(data_path)) {
    if (offset + data_bytes > max_deflate_ratio * file_bytes + 1024.0)
      throw InputError(data_path, "dim",
                       "dimensions that fit the file: the header claims " + claim + ", more than a " +
                           std::to_string(static_cast<int64_t>(file_bytes)) +
                           "-byte gzip file can hold (the header is corrupt or the file truncated)");
  } else if (offset + data_bytes > file_bytes) {
    throw InputError(data_path, "dim",
                     "dimensions that fit the file: the header claims " + claim + " after byte " +
                         std::to_string(static_cast<int64_t>(offset)) + ", but the file has " +
                         std::to_string(static_cast<int64_t>(file_bytes)) + " bytes (truncated?)");
  }
}

// Where voxels are must be known for every map computed from them: a voxel size (pixdim) of the spatial axes
// the image has that is NaN, infinite or zero, or an sform/qform with such entries or a singular matrix, is
// refused here, before any mask could hide it (maps with NaN geometry are unusable in every viewer).
void check_spatial_geometry(std::string const& path, int64_t ndim, NiftiGeometry const& g) {
  auto const text = [](double v) {
    std::ostringstream out;
    out << v;
    return out.str();
  };
  for (int64_t i = 1; i <= std::min<int64_t>(ndim, 3); ++i) {
    double const size = g.pixdim[static_cast<std::size_t>(i)];
    if (!std::isfinite(size) || size == 0.0)
      throw InputError(path, "pixdim[" + std::to_string(i) + "]",
                       "a finite non-zero voxel size, found " + text(size));
  }
  if (g.sform_code > 0) {
    for (std::size_t r = 0; r < 3; ++r)
      for (std::size_t c = 0; c < 4; ++c)
        if (!std::isfinite(g.srow[r][c]))
          throw InputError(path, std::string("srow_") + "xyz"[r] + "[" + std::to_string(c) + "]",
                           "a finite sform entry (sform_code " + std::to_string(g.sform_code) + "), found " +
                               text(g.srow[r][c]));
    auto const& m = g.srow;
    double const det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                       m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                       m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    if (det == 0.0)
      throw InputError(path, "srow_x, srow_y, srow_z",
                       "an sform that maps voxels to distinct positions (sform_code " +
                           std::to_string(g.sform_code) + "), found a singular matrix");
  }
  if (g.qform_code > 0)
    for (auto const& [field, value] : {std::pair<char const*, double>{"quatern_b", g.quatern_b},
                                       {"quatern_c", g.quatern_c},
                                       {"quatern_d", g.quatern_d},
                                       {"qoffset_x", g.qoffset_x},
                                       {"qoffset_y", g.qoffset_y},
                                       {"qoffset_z", g.qoffset_z}})
      if (!std::isfinite(value))
        throw InputError(
            path, field,
            "a finite qform entry (qform_code " + std::to_string(g.qform_code) + "), found " + text(value));
}

NiftiHeaderInfo checked_info(std::string const& path, RawHeader const& raw) {
  NiftiHeaderInfo info;
  info.path = path;
  info.nifti_version = raw.version;
  info.datatype = raw.datatype;
  info.scl_slope = raw.scl_slope;
  info.scl_inter = raw.scl_inter;
  info.geometry = raw.geometry;
  int64_t const ndim = raw.dim[0];
  if (ndim < 1 || ndim > 7)
    throw InputError(path, "dim[0]", "between 1 and 7, found " + std::to_string(ndim));
  constexpr int64_t max_size = int64_t{1} << 31;
  int64_t voxels = 1;
  for (int64_t i = 1; i <= ndim; ++i) {
    int64_t const n = raw.dim[i];
    std::string const field = "dim[" + std::to_string(i) + "]";
    if (n < 1 || n > max_size)
      throw InputError(path, field, "a size of at least 1, found " + std::to_string(n));
    if (i > 4 && n != 1)
      throw InputError(
          path, field,
          "a 3-D or 4-D image, found size " + std::to_string(n) + " in dimension " + std::to_string(i));
    // Checked before multiplying: a product of header sizes must never wrap around.
    constexpr int64_t max_voxels = int64_t{1} << 40;
    if (voxels > max_voxels / n) throw InputError(path, "dim", "an image of at most 2^40 voxels");
    voxels *= n;
  }
  for (int i = 0; i < 4; ++i) info.dims[i] = i + 1 <= ndim ? raw.dim[i + 1] : 1;
  check_spatial_geometry(path, ndim, info.geometry);
  if (!datatype_supported(raw.datatype))
    throw InputError(
        path, "datatype",
        "a real-valued datatype (uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, "
        "float64), found " +
            datatype_name(raw.datatype));
  double const min_offset = raw.single_file ? static_cast<double>(raw.header_bytes) : 0.0;
  if (!(raw.vox_offset >= min_offset) || raw.vox_offset > 1e12 ||
      raw.vox_offset != std::floor(raw.vox_offset))
    throw InputError(
        path, "vox_offset",
        "a whole number of bytes of at least " + std::to_string(static_cast<int64_t>(min_offset)));
  return info;
}

// Converts `n` elements of type T at `raw` (byte-swapped first when needed) to doubles.
template <class T>
void convert(unsigned char* raw, int64_t n, bool swap, double* out) {
  for (int64_t i = 0; i < n; ++i) {
    unsigned char* element = raw + i * static_cast<int64_t>(sizeof(T));
    if (swap) std::reverse(element, element + sizeof(T));
    T value;
    std::memcpy(&value, element, sizeof(T));
    out[i] = static_cast<double>(value);
  }
}

void convert_any(int datatype, unsigned char* raw, int64_t n, bool swap, double* out) {
  switch (static_cast<NiftiDatatype>(datatype)) {
    case NiftiDatatype::uint8:
      return convert<uint8_t>(raw, n, swap, out);
    case NiftiDatatype::int8:
      return convert<int8_t>(raw, n, swap, out);
    case NiftiDatatype::int16:
      return convert<int16_t>(raw, n, swap, out);
    case NiftiDatatype::uint16:
      return convert<uint16_t>(raw, n, swap, out);
    case NiftiDatatype::int32:
      return convert<int32_t>(raw, n, swap, out);
    case NiftiDatatype::uint32:
      return convert<uint32_t>(raw, n, swap, out);
    case NiftiDatatype::int64:
      return convert<int64_t>(raw, n, swap, out);
    case NiftiDatatype::uint64:
      return convert<uint64_t>(raw, n, swap, out);
    case NiftiDatatype::float32:
      return convert<float>(raw, n, swap, out);
    case NiftiDatatype::float64:
      return convert<double>(raw, n, swap, out);
  }
}

// Skips `n` bytes of a stream (a seek on a gzip stream decompresses anyway).
bool skip_bytes(GzFile& file, int64_t n) {
  std::vector<unsigned char> scratch(static_cast<std::size_t>(std::min<int64_t>(n, 1 << 16)));
  while (n > 0) {
    int64_t const step = std::min<int64_t>(n, static_cast<int64_t>(scratch.size()));
    if (file.read(scratch.data(), step) != step) return false;
    n -= step;
  }
  return true;
}

// Voxels handed over per call of a VoxelValues sink: a block of the series a caller fills stays in cache.
constexpr std::size_t voxel_block = 1024;

// Consumed input is handed back to the system once this much of it (summed over the frames) is waiting:
// each release is an madvise that interrupts every CPU the process runs on (a TLB shootdown, a trap to the
// hypervisor on a VM), so a release per block and frame (2,900 of them for a 50x50x20x80 subject) cost more
// than the inflate; this bounds what the input and the caller's series hold together to one granule more.
constexpr std::size_t release_granule_bytes = std::size_t{16} << 20;

// One element of type T at `p` (byte-swapped when needed), as a double.
template <class T>
double element(unsigned char const* p, bool swap) {
  T value;
  if (swap) {
    unsigned char bytes[sizeof(T)];
    std::reverse_copy(p, p + sizeof(T), bytes);
    std::memcpy(&value, bytes, sizeof(T));
  } else {
    std::memcpy(&value, p, sizeof(T));
  }
  return static_cast<double>(value);
}

// NIfTI: a slope of 0 (or a non-finite one) means the stored values are the values.
struct Scaling {
  double slope = 1.0, inter = 0.0;
  bool applies = false;
  explicit Scaling(RawHeader const& raw)
      : slope(raw.scl_slope), inter(std::isfinite(raw.scl_inter) ? raw.scl_inter : 0.0) {
    applies = std::isfinite(slope) && slope != 0.0 && !(slope == 1.0 && inter == 0.0);
  }
  double operator()(double v) const { return applies ? v * slope + inter : v; }
};

// The values of the elements `index` (relative to `base`), scaled, into `out`: the same doubles read_nifti
// gives for them.
template <class T>
void gather_elements(unsigned char const* base, int64_t const* index, std::size_t count, bool swap,
                     Scaling const& scale, double* out) {
  for (std::size_t v = 0; v < count; ++v)
    out[v] = scale(element<T>(base + index[v] * static_cast<int64_t>(sizeof(T)), swap));
}

void gather_any(int datatype, unsigned char const* base, int64_t const* index, std::size_t count, bool swap,
                Scaling const& scale, double* out) {
  switch (static_cast<NiftiDatatype>(datatype)) {
    case NiftiDatatype::uint8:
      return gather_elements<uint8_t>(base, index, count, swap, scale, out);
    case NiftiDatatype::int8:
      return gather_elements<int8_t>(base, index, count, swap, scale, out);
    case NiftiDatatype::int16:
      return gather_elements<int16_t>(base, index, count, swap, scale, out);
    case NiftiDatatype::uint16:
      return gather_elements<uint16_t>(base, index, count, swap, scale, out);
    case NiftiDatatype::int32:
      return gather_elements<int32_t>(base, index, count, swap, scale, out);
    case NiftiDatatype::uint32:
      return gather_elements<uint32_t>(base, index, count, swap, scale, out);
    case NiftiDatatype::int64:
      return gather_elements<int64_t>(base, index, count, swap, scale, out);
    case NiftiDatatype::uint64:
      return gather_elements<uint64_t>(base, index, count, swap, scale, out);
    case NiftiDatatype::float32:
      return gather_elements<float>(base, index, count, swap, scale, out);
    case NiftiDatatype::float64:
      return gather_elements<double>(base, index, count, swap, scale, out);
  }
}

// The stored bytes of a single-file image read in one piece (a .nii.gz inflated by ISA-L, a .nii read
// whole), when the file holds exactly the header, gap and data the header says; empty otherwise, and the
// streaming reader then reads the file or explains why it cannot.
struct StoredData {
  detail::ByteBuffer bytes;
  std::size_t data_offset = 0;
  bool empty() const { return bytes.size() == 0; }
};

StoredData read_stored_data(std::string const& path, RawHeader const& raw, NiftiHeaderInfo const& info) {
  if (!raw.single_file) return {};
  int nbyper = 0, swapsize = 0;
  nifti_datatype_sizes(raw.datatype, &nbyper, &swapsize);
  auto const data_bytes =
      static_cast<std::size_t>(info.dims[0] * info.dims[1] * info.dims[2] * info.dims[3] * nbyper);
  auto const offset = static_cast<std::size_t>(raw.vox_offset);
  std::error_code size_error;
  auto const file_bytes = static_cast<std::size_t>(std::filesystem::file_size(path, size_error));
  if (size_error) return {};
  StoredData stored;
  stored.data_offset = offset;
  if (is_gzip(path)) {
    // The streaming reader's guard against corrupt size claims applies here too (see read_nifti).
    if (data_bytes > 16 * file_bytes) return {};
    stored.bytes = detail::inflate_gzip_file(path, offset + data_bytes);
  } else if (file_bytes == offset + data_bytes) {
    stored.bytes = detail::read_plain_file(path);
    if (stored.bytes.size() != file_bytes) return {};
  }
  return stored;
}

}  // namespace

std::string datatype_name(int code) {
  switch (code) {
    case DT_BINARY:
      return "binary";
    case DT_UINT8:
      return "uint8";
    case DT_INT16:
      return "int16";
    case DT_INT32:
      return "int32";
    case DT_FLOAT32:
      return "float32";
    case DT_COMPLEX64:
      return "complex64";
    case DT_FLOAT64:
      return "float64";
    case DT_RGB24:
      return "rgb24";
    case DT_INT8:
      return "int8";
    case DT_UINT16:
      return "uint16";
    case DT_UINT32:
      return "uint32";
    case DT_INT64:
      return "int64";
    case DT_UINT64:
      return "uint64";
    case DT_FLOAT128:
      return "float128";
    case DT_COMPLEX128:
      return "complex128";
    case DT_COMPLEX256:
      return "complex256";
    case DT_RGBA32:
      return "rgba32";
    default:
      return "unknown datatype code " + std::to_string(code);
  }
}

NiftiHeaderInfo read_nifti_header(std::string const& path) {
  require_regular_file(path, "a NIfTI-1 or NIfTI-2 file");
  GzFile file(path, "rb", GzFile::header_buffer_bytes);
  RawHeader const raw = parse_header(path, file);
  NiftiHeaderInfo info = checked_info(path, raw);
  check_data_size(path, raw, info);
  return info;
}

NiftiImage read_nifti(std::string const& path) {
  require_regular_file(path, "a NIfTI-1 or NIfTI-2 file");
  GzFile header_file(path, "rb");
  RawHeader const raw = parse_header(path, header_file);
  NiftiHeaderInfo const info = checked_info(path, raw);
  check_data_size(path, raw, info);

  if (StoredData stored = read_stored_data(path, raw, info); !stored.empty()) {
    NiftiImage image;
    image.path = path;
    image.dims = info.dims;
    image.geometry = info.geometry;
    auto const total = static_cast<std::size_t>(info.dims[0] * info.dims[1] * info.dims[2] * info.dims[3]);
    image.data.resize(total);
    int nbyper = 0, swapsize = 0;
    nifti_datatype_sizes(raw.datatype, &nbyper, &swapsize);
    // Converted in chunks whose stored pages are released as soon as they are converted.
    constexpr std::size_t chunk = std::size_t{1} << 18;
    unsigned char* const data = stored.bytes.data() + stored.data_offset;
    for (std::size_t first = 0; first < total; first += chunk) {
      std::size_t const n = std::min(chunk, total - first);
      convert_any(raw.datatype, data + first * nbyper, static_cast<int64_t>(n), raw.swapped && nbyper > 1,
                  image.data.data() + first);
      stored.bytes.release(stored.data_offset + first * nbyper, stored.data_offset + (first + n) * nbyper);
    }
    Scaling const scale(raw);
    if (scale.applies)
      for (double& v : image.data) v = scale(v);
    return image;
  }
  std::string const data_path = raw.single_file ? path : image_file_of_pair(path);
  if (!raw.single_file) require_regular_file(data_path, "the .img data file of the NIfTI pair " + path);
  GzFile pair_file(raw.single_file ? std::string() : data_path, "rb");
  GzFile& file = raw.single_file ? header_file : pair_file;
  auto const offset = static_cast<int64_t>(raw.vox_offset) - (raw.single_file ? raw.header_bytes : 0);
  if (!file.is_open() || !skip_bytes(file, offset))
    throw InputError(data_path, "vox_offset",
                     "image data starting at byte " + std::to_string(offset) + "; the file ends before it");

  int nbyper = 0, swapsize = 0;
  nifti_datatype_sizes(raw.datatype, &nbyper, &swapsize);
  NiftiImage image;
  image.path = path;
  image.dims = info.dims;
  image.geometry = info.geometry;
  int64_t const total = info.dims[0] * info.dims[1] * info.dims[2] * info.dims[3];
  // A gzip file that claims far more data than files of its size usually hold (MR images compress 2-5:1)
  // grows its buffer as the data inflates, so that a corrupt claim costs no more memory than the data it
  // really has.
  std::error_code size_error;
  auto const file_bytes = static_cast<int64_t>(std::filesystem::file_size(data_path, size_error));
  bool const grow_while_inflating = !size_error && is_gzip(data_path) && total * nbyper > 16 * file_bytes;
  if (!grow_while_inflating) image.data.resize(static_cast<std::size_t>(total));

  // Converted chunk by chunk so the raw bytes never need a second full-size buffer.
  constexpr int64_t chunk_voxels = int64_t{1} << 20;
  std::vector<unsigned char> raw_bytes(static_cast<std::size_t>(std::min(total, chunk_voxels) * nbyper));
  std::string const sizes = std::to_string(info.dims[0]) + "x" + std::to_string(info.dims[1]) + "x" +
                            std::to_string(info.dims[2]) + "x" + std::to_string(info.dims[3]);
  for (int64_t first = 0; first < total; first += chunk_voxels) {
    int64_t const n = std::min(chunk_voxels, total - first);
    int64_t const got = file.read(raw_bytes.data(), n * nbyper);
    if (grow_while_inflating && got == n * nbyper) {
      auto const needed = static_cast<std::size_t>(first + n);
      if (image.data.capacity() < needed) image.data.reserve(std::max(needed, 2 * image.data.capacity()));
      image.data.resize(needed);
    }
    if (got != n * nbyper) {
      std::string const why = got < 0 ? "the gzip stream is corrupt (" + file.error() + ")"
                                      : "the file is truncated or the header's dimensions are too large";
      throw InputError(data_path, "dim",
                       std::to_string(total * nbyper) + " bytes of " + datatype_name(raw.datatype) +
                           " data for " + sizes + " voxels; " + why);
    }
    convert_any(raw.datatype, raw_bytes.data(), n, raw.swapped && nbyper > 1, image.data.data() + first);
  }
  // Reading past the data also makes zlib verify the gzip checksum, which catches corrupted compressed data.
  unsigned char extra = 0;
  int64_t const more = file.read(&extra, 1);
  if (more < 0)
    throw InputError(data_path, "data", "a valid gzip stream; " + file.error() + " (the file is corrupt)");
  if (more > 0)
    throw InputError(data_path, "dim",
                     "exactly " + std::to_string(total * nbyper) + " bytes of data for " + sizes +
                         " voxels; the file holds more, so the header's dimensions or datatype are wrong");

  // NIfTI: a slope of 0 (or a non-finite one) means the stored values are the values.
  double const slope = raw.scl_slope, inter = std::isfinite(raw.scl_inter) ? raw.scl_inter : 0.0;
  if (std::isfinite(slope) && slope != 0.0 && !(slope == 1.0 && inter == 0.0))
    for (double& v : image.data) v = v * slope + inter;
  return image;
}

NiftiHeaderInfo read_nifti_voxels(std::string const& path, std::vector<int64_t> const& index,
                                  VoxelValues const& sink) {
  require_regular_file(path, "a NIfTI-1 or NIfTI-2 file");
  RawHeader raw;
  NiftiHeaderInfo info;
  {
    GzFile header_file(path, "rb", GzFile::header_buffer_bytes);
    raw = parse_header(path, header_file);
    info = checked_info(path, raw);
    check_data_size(path, raw, info);
  }
  int64_t const volume = info.dims[0] * info.dims[1] * info.dims[2];
  for (int64_t i : index)
    if (i < 0 || i >= volume)
      throw InputError(path, "dim", "voxel index " + std::to_string(i) + " inside the volume");
  std::size_t const n = index.size();
  std::vector<double> values(std::min(n, voxel_block));
  StoredData stored = read_stored_data(path, raw, info);
  if (stored.empty()) {  // the streaming reader: a full double copy, or its error
    NiftiImage const image = read_nifti(path);
    for (std::size_t first = 0; first < n; first += voxel_block) {
      std::size_t const count = std::min(voxel_block, n - first);
      for (int64_t t = 0; t < info.dims[3]; ++t) {
        for (std::size_t v = 0; v < count; ++v)
          values[v] = image.data[static_cast<std::size_t>(index[first + v] + t * volume)];
        sink(first, count, t, values.data());
      }
    }
    return info;
  }
  int nbyper = 0, swapsize = 0;
  nifti_datatype_sizes(raw.datatype, &nbyper, &swapsize);
  Scaling const scale(raw);
  auto const volume_bytes = static_cast<std::size_t>(volume * nbyper);
  // With ascending indices, the part of every volume below the next block's first voxel is consumed: its
  // pages go back to the system while the caller's series fills, so the two never coexist in full.
  bool const ascending = std::is_sorted(index.begin(), index.end());
  auto const frames = static_cast<std::size_t>(info.dims[3]);
  std::size_t released = 0;  // bytes of every volume handed back so far
  for (std::size_t first = 0; first < n; first += voxel_block) {
    std::size_t const count = std::min(voxel_block, n - first);
    std::size_t const consumed =
        first + count < n ? static_cast<std::size_t>(index[first + count]) * nbyper : volume_bytes;
    bool const release =
        ascending && (consumed == volume_bytes || (consumed - released) * frames >= release_granule_bytes);
    for (std::size_t t = 0; t < frames; ++t) {
      std::size_t const begin = stored.data_offset + t * volume_bytes;
      gather_any(raw.datatype, stored.bytes.data() + begin, index.data() + first, count,
                 raw.swapped && nbyper > 1, scale, values.data());
      sink(first, count, static_cast<int64_t>(t), values.data());
      // From the volume's start: the page that straddled the last release's end goes back now.
      if (release) stored.bytes.release(begin, begin + consumed);
    }
    if (release) released = consumed;
  }
  return info;
}

bool NiftiGeometry::operator==(NiftiGeometry const& o) const {
  auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  for (int i = 0; i < 8; ++i)
    if (!same(pixdim[i], o.pixdim[i])) return false;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c)
      if (!same(srow[r][c], o.srow[r][c])) return false;
  return qform_code == o.qform_code && same(quatern_b, o.quatern_b) && same(quatern_c, o.quatern_c) &&
         same(quatern_d, o.quatern_d) && same(qoffset_x, o.qoffset_x) && same(qoffset_y, o.qoffset_y) &&
         same(qoffset_z, o.qoffset_z) && same(qfac, o.qfac) && sform_code == o.sform_code &&
         xyz_units == o.xyz_units && time_units == o.time_units && freq_dim == o.freq_dim &&
         phase_dim == o.phase_dim && slice_dim == o.slice_dim && slice_code == o.slice_code &&
         slice_start == o.slice_start && slice_end == o.slice_end && same(slice_duration, o.slice_duration) &&
         same(toffset, o.toffset) && same(time_step_s, o.time_step_s) &&
         time_unit_assumed == o.time_unit_assumed && intent_code == o.intent_code &&
         same(intent_p1, o.intent_p1) && same(intent_p2, o.intent_p2) && same(intent_p3, o.intent_p3) &&
         intent_name == o.intent_name && description == o.description;
}

NiftiGeometry make_geometry(std::array<double, 3> voxel_size_mm, double time_step_s) {
  NiftiGeometry g;
  g.pixdim = {1.0, voxel_size_mm[0], voxel_size_mm[1], voxel_size_mm[2], time_step_s, 0.0, 0.0, 0.0};
  g.qform_code = NIFTI_XFORM_SCANNER_ANAT;
  g.sform_code = NIFTI_XFORM_SCANNER_ANAT;
  for (int i = 0; i < 3; ++i) g.srow[i][i] = voxel_size_mm[i];
  g.xyz_units = NIFTI_UNITS_MM;
  g.time_units = NIFTI_UNITS_SEC;
  g.time_step_s = time_step_s;
  return g;
}

std::array<std::array<double, 4>, 4> voxel_to_world(NiftiGeometry const& g) {
  std::array<std::array<double, 4>, 4> m{};
  m[3][3] = 1.0;
  if (g.sform_code > 0) {
    for (int r = 0; r < 3; ++r) m[r] = g.srow[r];
  } else if (g.qform_code > 0) {
    nifti_dmat44 const q =
        nifti_quatern_to_dmat44(g.quatern_b, g.quatern_c, g.quatern_d, g.qoffset_x, g.qoffset_y, g.qoffset_z,
                                g.pixdim[1], g.pixdim[2], g.pixdim[3], g.qfac);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) m[r][c] = q.m[r][c];
  } else {
    for (int i = 0; i < 3; ++i) m[i][i] = g.pixdim[i + 1];
  }
  return m;
}

std::string grid_difference(NiftiGeometry const& a, std::array<int64_t, 4> const& dims_a,
                            NiftiGeometry const& b, std::array<int64_t, 4> const& dims_b, double tolerance) {
  auto const text = [](double v) {
    std::ostringstream out;
    out << v;
    return out.str();
  };
  auto const vector_text = [&](std::array<std::array<double, 4>, 4> const& m, int c) {
    return "(" + text(m[0][c]) + ", " + text(m[1][c]) + ", " + text(m[2][c]) + ")";
  };
  char const* const axis[] = {"i", "j", "k"};
  for (int i = 0; i < 3; ++i)
    if (dims_a[i] != dims_b[i])
      return "dim[" + std::to_string(i + 1) + "] (" + axis[i] + ") is " + std::to_string(dims_b[i]) +
             " voxels, not " + std::to_string(dims_a[i]);
  for (int i = 0; i < 3; ++i)
    if (!(std::abs(a.pixdim[i + 1] - b.pixdim[i + 1]) <= tolerance))
      return "pixdim[" + std::to_string(i + 1) + "] (voxel size along " + axis[i] + ") is " +
             text(b.pixdim[i + 1]) + ", not " + text(a.pixdim[i + 1]);
  auto const ma = voxel_to_world(a), mb = voxel_to_world(b);
  for (int c = 0; c < 3; ++c)
    for (int r = 0; r < 3; ++r)
      if (!(std::abs(ma[r][c] - mb[r][c]) <= tolerance))
        return std::string("the world direction of voxel axis ") + axis[c] + " is " + vector_text(mb, c) +
               ", not " + vector_text(ma, c) + " (a flipped, swapped or rotated axis)";
  for (int r = 0; r < 3; ++r)
    if (!(std::abs(ma[r][3] - mb[r][3]) <= tolerance))
      return "voxel (0,0,0) lies at " + vector_text(mb, 3) + ", not " + vector_text(ma, 3) +
             " (a shifted origin)";
  return std::string();
}

bool same_grid(NiftiGeometry const& a, std::array<int64_t, 4> const& dims_a, NiftiGeometry const& b,
               std::array<int64_t, 4> const& dims_b, double tolerance) {
  return grid_difference(a, dims_a, b, dims_b, tolerance).empty();
}

}  // namespace voxflow::io
