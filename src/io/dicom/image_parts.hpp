// Private to src/io/dicom: files that hold several images split into single images, so that slice
// positions, time points and pixel values are handled as for a series of single-frame files. A Siemens
// mosaic gives one image per tile, an enhanced MR object one per frame; each keeps, in FileHeader::part,
// where its pixels lie in the file's pixel data.
#ifndef VOXFLOW_SRC_IO_DICOM_IMAGE_PARTS_HPP
#define VOXFLOW_SRC_IO_DICOM_IMAGE_PARTS_HPP

#include "file_header.hpp"

#include <vector>

namespace voxflow::io::detail {

// The single images of `files`, in file order (tiles and frames in their order within each file).
//  - Mosaic tile k (tiles row by row, m = ceil(sqrt(n)) per mosaic row) of a Rows x Columns mosaic of n
//    images: a (Rows / m) x (Columns / m) image (whole pixels; tile rows start every Rows * Columns / m
//    pixels, as dcm2niix reads them) at the position Siemens defines for it: ImagePositionPatient, which
//    refers to the whole mosaic, moved to the corner of tile 0 by half the difference of the matrix sizes
//    along each in-plane axis, then k slice spacings (SpacingBetweenSlices, else SliceThickness) along the
//    CSA SliceNormalVector (else the normal of ImageOrientationPatient). As dcm2niix does, every volume of a
//    mosaic series takes the slice positions of its first file.
//  - Frame f of an enhanced MR object: the file's attributes with the frame's functional-group values.
// InputError naming the file for a multi-frame image without per-frame functional groups, or mosaics of one
// series with different numbers of images.
std::vector<FileHeader> split_into_single_images(std::vector<FileHeader> const& files);

// Whether image `h` is a frame of an enhanced object, whose values come from its functional groups.
inline bool from_functional_groups(FileHeader const& h) {
  return h.part && h.part->tiles_per_row == 0;
}

// Copies image `h`'s pixels out of `stored`, the decoded pixel data of its whole file (decode_pixels), into
// out[0 .. h.rows * h.columns), row by row.
void copy_image_part(std::vector<double> const& stored, FileHeader const& h, double* out);

}  // namespace voxflow::io::detail

#endif
