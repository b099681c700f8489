// Private to src/io/dicom: the per-frame values of an enhanced (multi-frame) MR object (Philips, Siemens XA,
// GE), read from its shared and per-frame functional groups (PS3.3 C.7.6.16): position, orientation, pixel
// measures, rescaling, timing and b-value of every frame.
#ifndef VOXFLOW_SRC_IO_DICOM_ENHANCED_FRAMES_HPP
#define VOXFLOW_SRC_IO_DICOM_ENHANCED_FRAMES_HPP

#include "attribute_reader.hpp"
#include "file_header.hpp"

#include <vector>

namespace voxflow::io::detail {

// One FrameValues per item of PerFrameFunctionalGroupsSequence, each with the shared groups' values where
// the frame gives none; empty when the file has no per-frame groups. InputError naming the file when the
// number of items differs from `frames` (NumberOfFrames).
std::vector<FrameValues> read_frame_values(AttributeReader const& file, gdcm::File const& gdcm_file,
                                           int frames);

}  // namespace voxflow::io::detail

#endif
