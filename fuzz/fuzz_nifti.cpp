// NIfTI header and image reader (io/nifti_image.hpp) on arbitrary bytes: a gzip stream is read as .nii.gz,
// anything else as .nii. Every failure must be an InputError; read_nifti must agree with read_nifti_header.
#include "harness.hpp"
#include "input_file.hpp"

#include <voxflow/io/nifti_image.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, std::size_t size) {
  bool const gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  std::string const path = voxflow::fuzz::write_input(gzip ? "input.nii.gz" : "input.nii", data, size);
  voxflow::fuzz::accept_voxflow_errors([&] {
    auto const header = voxflow::io::read_nifti_header(path);
    auto const image = voxflow::io::read_nifti(path);
    if (image.dims != header.dims) std::abort();
    if (image.data.size() != static_cast<std::size_t>(image.voxels_per_volume() * image.dims[3]))
      std::abort();
  });
  return 0;
}
