// Writing NIfTI-1/NIfTI-2 single files. The header is filled field by field from NiftiGeometry (rather than
// through nifti_image_write, which returns no status and rewrites some fields), then data follow through
// an AtomicFile: gzip-compressed in one piece by libdeflate, or plain.
#include "gz_file.hpp"
#include "gzip_buffer.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <nifti2_io.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace voxflow::io {

namespace {

using detail::GzFile;

std::string describe_dims(int64_t const* dims, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s;
}

// Copies at most capacity - 1 characters, so the field stays NUL-terminated (the header was zeroed).
template <std::size_t N>
void copy_text(char (&field)[N], std::string const& text) {
  std::memcpy(field, text.data(), std::min(text.size(), N - 1));
}

// Fills the fields that NIfTI-1 and NIfTI-2 share; each assignment narrows to the version's field type.
template <class Header>
void fill_header(Header& h, NiftiGeometry const& g, int64_t const* dims, int ndim,
                 NiftiWriteOptions const& o) {
  h.datatype = static_cast<decltype(h.datatype)>(o.datatype);
  int nbyper = 0, swapsize = 0;
  nifti_datatype_sizes(static_cast<int>(o.datatype), &nbyper, &swapsize);
  h.bitpix = static_cast<decltype(h.bitpix)>(8 * nbyper);
  h.dim[0] = ndim;
  using Dim = std::remove_reference_t<decltype(h.dim[0])>;
  using Real = std::remove_reference_t<decltype(h.pixdim[0])>;  // float in NIfTI-1, double in NIfTI-2
  for (int i = 1; i < 8; ++i) h.dim[i] = static_cast<Dim>(i <= ndim ? dims[i - 1] : 1);
  for (int i = 0; i < 8; ++i) h.pixdim[i] = static_cast<Real>(g.pixdim[i]);
  h.pixdim[0] = static_cast<Real>(g.qfac < 0 ? -1.0 : 1.0);  // NIfTI keeps qfac in pixdim[0]
  bool const integer = o.datatype != NiftiDatatype::float32 && o.datatype != NiftiDatatype::float64;
  h.scl_slope = static_cast<decltype(h.scl_slope)>(integer ? o.scl_slope : 1.0);
  h.scl_inter = static_cast<decltype(h.scl_inter)>(integer ? o.scl_inter : 0.0);
  h.qform_code = static_cast<decltype(h.qform_code)>(g.qform_code);
  h.quatern_b = static_cast<decltype(h.quatern_b)>(g.quatern_b);
  h.quatern_c = static_cast<decltype(h.quatern_c)>(g.quatern_c);
  h.quatern_d = static_cast<decltype(h.quatern_d)>(g.quatern_d);
  h.qoffset_x = static_cast<decltype(h.qoffset_x)>(g.qoffset_x);
  h.qoffset_y = static_cast<decltype(h.qoffset_y)>(g.qoffset_y);
  h.qoffset_z = static_cast<decltype(h.qoffset_z)>(g.qoffset_z);
  h.sform_code = static_cast<decltype(h.sform_code)>(g.sform_code);
  for (int c = 0; c < 4; ++c) {
    h.srow_x[c] = static_cast<Real>(g.srow[0][c]);
    h.srow_y[c] = static_cast<Real>(g.srow[1][c]);
    h.srow_z[c] = static_cast<Real>(g.srow[2][c]);
  }
  h.xyzt_units = static_cast<decltype(h.xyzt_units)>((g.xyz_units & 0x07) | (g.time_units & 0x38));
  h.dim_info = static_cast<char>((g.freq_dim & 3) | ((g.phase_dim & 3) << 2) | ((g.slice_dim & 3) << 4));
  h.slice_code = static_cast<decltype(h.slice_code)>(g.slice_code);
  h.slice_start = static_cast<decltype(h.slice_start)>(g.slice_start);
  h.slice_end = static_cast<decltype(h.slice_end)>(g.slice_end);
  h.slice_duration = static_cast<decltype(h.slice_duration)>(g.slice_duration);
  h.toffset = static_cast<decltype(h.toffset)>(g.toffset);
  if (o.override_intent) {
    h.intent_code = static_cast<decltype(h.intent_code)>(o.intent_code);
    copy_text(h.intent_name, o.intent_name);
  } else {
    h.intent_code = static_cast<decltype(h.intent_code)>(g.intent_code);
    h.intent_p1 = static_cast<decltype(h.intent_p1)>(g.intent_p1);
    h.intent_p2 = static_cast<decltype(h.intent_p2)>(g.intent_p2);
    h.intent_p3 = static_cast<decltype(h.intent_p3)>(g.intent_p3);
    copy_text(h.intent_name, g.intent_name);
  }
  std::string const& text = o.override_description ? o.description : g.description;
  copy_text(h.descrip, text);
}

// The header bytes, extension flag included (no extensions: four zero bytes).
std::vector<unsigned char> header_bytes(std::string const& path, NiftiGeometry const& g, int64_t const* dims,
                                        int ndim, NiftiWriteOptions const& o) {
  std::vector<unsigned char> bytes;
  if (o.nifti_version == 1) {
    for (int i = 0; i < ndim; ++i)
      if (dims[i] > std::numeric_limits<int16_t>::max())
        throw OutputError(path, "dimensions " + describe_dims(dims, ndim) +
                                    " exceed NIfTI-1's limit of 32767; write NIfTI-2 (nifti_version = 2)");
    nifti_1_header h;
    std::memset(&h, 0, sizeof(h));
    h.sizeof_hdr = 348;
    h.vox_offset = 352.0f;
    h.regular = 'r';
    std::memcpy(h.magic, "n+1\0", 4);
    fill_header(h, g, dims, ndim, o);
    bytes.resize(352, 0);
    std::memcpy(bytes.data(), &h, sizeof(h));
  } else if (o.nifti_version == 2) {
    nifti_2_header h;
    std::memset(&h, 0, sizeof(h));
    h.sizeof_hdr = 540;
    h.vox_offset = 544;
    std::memcpy(h.magic, "n+2\0\r\n\032\n", 8);
    fill_header(h, g, dims, ndim, o);
    bytes.resize(544, 0);
    std::memcpy(bytes.data(), &h, sizeof(h));
  } else {
    throw OutputError(path, "NIfTI version " + std::to_string(o.nifti_version) + " is not 1 or 2");
  }
  return bytes;
}

// Stores `values` as T: floats as given, integers rounded after removing the scaling, with a range check.
template <class T, class S>
void encode(std::string const& path, S const* values, int64_t n, int64_t first, NiftiWriteOptions const& o,
            unsigned char* out) {
  for (int64_t i = 0; i < n; ++i) {
    T stored;
    if constexpr (std::is_floating_point_v<T>) {
      stored = static_cast<T>(values[i]);
    } else {
      double const v = std::nearbyint((static_cast<double>(values[i]) - o.scl_inter) / o.scl_slope);
      if (!(v >= static_cast<double>(std::numeric_limits<T>::lowest()) &&
            v <= static_cast<double>(std::numeric_limits<T>::max())))
        throw OutputError(path, "value " + std::to_string(values[i]) + " at index " +
                                    std::to_string(first + i) + " cannot be stored as " +
                                    datatype_name(static_cast<int>(o.datatype)) + " with scl_slope " +
                                    std::to_string(o.scl_slope) + " and scl_inter " +
                                    std::to_string(o.scl_inter));
      stored = static_cast<T>(v);
    }
    std::memcpy(out + i * static_cast<int64_t>(sizeof(T)), &stored, sizeof(T));
  }
}

template <class S>
void encode_any(std::string const& path, S const* values, int64_t n, int64_t first,
                NiftiWriteOptions const& o, unsigned char* out) {
  switch (o.datatype) {
    case NiftiDatatype::uint8:
      return encode<uint8_t>(path, values, n, first, o, out);
    case NiftiDatatype::int8:
      return encode<int8_t>(path, values, n, first, o, out);
    case NiftiDatatype::int16:
      return encode<int16_t>(path, values, n, first, o, out);
    case NiftiDatatype::uint16:
      return encode<uint16_t>(path, values, n, first, o, out);
    case NiftiDatatype::int32:
      return encode<int32_t>(path, values, n, first, o, out);
    case NiftiDatatype::uint32:
      return encode<uint32_t>(path, values, n, first, o, out);
    case NiftiDatatype::int64:
      return encode<int64_t>(path, values, n, first, o, out);
    case NiftiDatatype::uint64:
      return encode<uint64_t>(path, values, n, first, o, out);
    case NiftiDatatype::float32:
      return encode<float>(path, values, n, first, o, out);
    case NiftiDatatype::float64:
      return encode<double>(path, values, n, first, o, out);
  }
  throw OutputError(path, "unsupported output datatype code " + std::to_string(static_cast<int>(o.datatype)));
}

template <class S>
void write_any(std::string const& path, NiftiGeometry const& geometry, int64_t const* dims, int ndim,
               std::vector<S> const& values, NiftiWriteOptions const& options) {
  int64_t total = 1;
  for (int i = 0; i < ndim; ++i) {
    if (dims[i] < 1)
      throw OutputError(path, "image dimensions " + describe_dims(dims, ndim) + " must be positive");
    total *= dims[i];
  }
  if (static_cast<int64_t>(values.size()) != total)
    throw OutputError(path, std::to_string(values.size()) + " values given for an image of " +
                                describe_dims(dims, ndim) + " = " + std::to_string(total) + " voxels");
  bool const integer =
      options.datatype != NiftiDatatype::float32 && options.datatype != NiftiDatatype::float64;
  if (integer &&
      !(std::isfinite(options.scl_slope) && options.scl_slope != 0.0 && std::isfinite(options.scl_inter)))
    throw OutputError(path, "scl_slope must be finite and non-zero and scl_inter finite");
  bool const compress = ends_with(path, ".nii.gz");
  if (!compress && !ends_with(path, ".nii"))
    throw OutputError(path, "a NIfTI output name must end with '.nii.gz' (compressed) or '.nii'");
  std::vector<unsigned char> const header = header_bytes(path, geometry, dims, ndim, options);

  if (!(options.gzip_level >= 1 && options.gzip_level <= 12))
    throw OutputError(path, "gzip level " + std::to_string(options.gzip_level) + " is not between 1 and 12");
  int nbyper = 0, swapsize = 0;
  nifti_datatype_sizes(static_cast<int>(options.datatype), &nbyper, &swapsize);
  // A .nii.gz is deflated whole (header and data in one buffer, one libdeflate call) before the file exists.
  std::vector<unsigned char> gzip;
  if (compress) {
    std::vector<unsigned char> image(header.size() + static_cast<std::size_t>(total * nbyper));
    std::memcpy(image.data(), header.data(), header.size());
    encode_any(path, values.data(), total, 0, options, image.data() + header.size());
    gzip = detail::gzip_compress(image.data(), image.size(), options.gzip_level);
  }
  AtomicFile target(path, compress ? ".nii.gz" : ".nii");
  {
    GzFile file(target.temp_path(), "wbT");
    auto fail = [&](std::string const& what) {
      std::string const why = file.error();
      throw OutputError(path, what + " the temporary file '" + target.temp_path() + "'" +
                                  (why.empty() ? std::string() : ": " + why));
    };
    if (!file.is_open()) fail("cannot create");
    if (compress) {
      if (!file.write(gzip.data(), static_cast<int64_t>(gzip.size()))) fail("cannot write image data to");
    } else {
      if (!file.write(header.data(), static_cast<int64_t>(header.size()))) fail("cannot write the header to");
      constexpr int64_t chunk = int64_t{1} << 20;
      std::vector<unsigned char> buffer(static_cast<std::size_t>(std::min(total, chunk) * nbyper));
      for (int64_t first = 0; first < total; first += chunk) {
        int64_t const n = std::min(chunk, total - first);
        encode_any(path, values.data() + first, n, first, options, buffer.data());
        if (!file.write(buffer.data(), n * nbyper)) fail("cannot write image data to");
      }
    }
    if (!file.close()) fail("cannot finish");  // buffered data reach the file here
  }
  target.commit();
}

}  // namespace

void write_nifti(std::string const& path, NiftiGeometry const& geometry, std::array<int64_t, 3> dims,
                 std::vector<float> const& values, NiftiWriteOptions const& options) {
  write_any(path, geometry, dims.data(), 3, values, options);
}

void write_nifti(std::string const& path, NiftiGeometry const& geometry, std::array<int64_t, 3> dims,
                 std::vector<double> const& values, NiftiWriteOptions const& options) {
  write_any(path, geometry, dims.data(), 3, values, options);
}

void write_nifti_4d(std::string const& path, NiftiGeometry const& geometry, std::array<int64_t, 4> dims,
                    std::vector<float> const& values, NiftiWriteOptions const& options) {
  write_any(path, geometry, dims.data(), 4, values, options);
}

void write_nifti_4d(std::string const& path, NiftiGeometry const& geometry, std::array<int64_t, 4> dims,
                    std::vector<double> const& values, NiftiWriteOptions const& options) {
  write_any(path, geometry, dims.data(), 4, values, options);
}

}  // namespace voxflow::io
