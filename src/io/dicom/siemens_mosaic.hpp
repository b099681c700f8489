// Private to src/io/dicom: what a Siemens mosaic (ImageType MOSAIC: the slices of one volume tiled into one
// image) says about its tiles, from the CSA image header (0029,xx10) "SIEMENS CSA HEADER", read through
// gdcm::CSAHeader.
#ifndef VOXFLOW_SRC_IO_DICOM_SIEMENS_MOSAIC_HPP
#define VOXFLOW_SRC_IO_DICOM_SIEMENS_MOSAIC_HPP

#include "attribute_reader.hpp"
#include "file_header.hpp"

namespace voxflow::io::detail {

// Sets h.mosaic_images (CSA NumberOfImagesInMosaic, else Siemens (0019,xx0A)) and h.mosaic_normal (CSA
// SliceNormalVector) of a MOSAIC image. InputError naming the file when the number of images is absent or
// does not fit the matrix.
void read_mosaic_layout(AttributeReader const& a, FileHeader& h);

}  // namespace voxflow::io::detail

#endif
