// Private to src/io/dicom: decoding the pixel data of one file, only for the files of the selected series,
// through gdcm::ImageReader (which handles the compressed transfer syntaxes).
#ifndef VOXFLOW_SRC_IO_DICOM_PIXEL_DECODING_HPP
#define VOXFLOW_SRC_IO_DICOM_PIXEL_DECODING_HPP

#include "file_header.hpp"

#include <vector>

namespace voxflow::io::detail {

// Stored values of one decoded slice (row-major, Columns fastest) as doubles, without rescaling: BitsStored
// bits of each BitsAllocated, signed per PixelRepresentation (or IEEE floats). InputError naming the file
// when the pixel data does not decode, is cut short, has several frames or samples, or does not match Rows
// and Columns of `h`.
std::vector<double> decode_pixels(FileHeader const& h);

}  // namespace voxflow::io::detail

#endif
