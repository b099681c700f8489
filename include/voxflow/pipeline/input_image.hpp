// An image input of a run: a NIfTI file, or a folder of DICOM files holding one series (its acquisition
// parameters and frame times then come with it).
#ifndef VOXFLOW_PIPELINE_INPUT_IMAGE_HPP
#define VOXFLOW_PIPELINE_INPUT_IMAGE_HPP

#include <voxflow/io/dicom_series.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <optional>
#include <string>

namespace voxflow::pipeline {

struct InputImage {
  io::NiftiImage image;
  std::optional<io::DicomAcquisition> dicom;  // present for DICOM inputs
};

// A folder is read as a DICOM series, anything else as NIfTI.
bool is_dicom_input(std::string const& path);
InputImage load_input_image(std::string const& path, io::DicomSelection const& selection = {});
// Dimensions and geometry; a DICOM series has to be read for them.
io::NiftiHeaderInfo load_input_header(std::string const& path);

}  // namespace voxflow::pipeline

#endif
