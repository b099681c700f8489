// Private to src/io/dicom: decoding the pixel data of one file, only for the files of the selected series,
// through gdcm::ImageReader (which handles the compressed transfer syntaxes).
#ifndef VOXFLOW_SRC_IO_DICOM_PIXEL_DECODING_HPP
#define VOXFLOW_SRC_IO_DICOM_PIXEL_DECODING_HPP

#include "file_header.hpp"

#include <vector>

namespace voxflow::io::detail {

// Stored values of the pixel data of `h`'s file (row-major, Columns fastest, frame after frame) as doubles,
// without rescaling: BitsStored bits of each BitsAllocated, signed per PixelRepresentation (or IEEE floats).
// For an image split from a mosaic or multi-frame file (h.part) that is the whole file's matrix and frames;
// copy_image_part (image_parts.hpp) takes the image out. InputError naming the file when the pixel data does
// not decode, is cut short, has several samples, or another size or number of frames than the header says.
std::vector<double> decode_pixels(FileHeader const& h);

}  // namespace voxflow::io::detail

#endif
