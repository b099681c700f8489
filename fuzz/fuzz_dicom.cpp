// The DICOM series reader (io/dicom_series.hpp) on one arbitrary file: the structure walk, GDCM's parsing of
// what passes it, the metadata and the pixel data. Failures must be InputErrors (GDCM must never be reached
// with a file it aborts on).
#include "harness.hpp"
#include "input_file.hpp"

#include <voxflow/io/dicom_series.hpp>

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, std::size_t size) {
  std::string const path = voxflow::fuzz::write_input("IM0001.dcm", data, size);
  voxflow::fuzz::accept_voxflow_errors([&] { (void)voxflow::io::read_dicom_series(path); });
  return 0;
}
