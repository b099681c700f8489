// A DCE subject's input files (private to src/pipeline/dce): header-level checks of everything the
// configuration names, then the voxel data. A DICOM series is decoded once: by the checks, which need its
// geometry and metadata, and kept for reading.
#ifndef VOXFLOW_SRC_PIPELINE_DCE_DCE_INPUTS_HPP
#define VOXFLOW_SRC_PIPELINE_DCE_DCE_INPUTS_HPP

#include "dce_settings.hpp"
#include "dce_stages.hpp"

#include <voxflow/pipeline/input_image.hpp>
#include <voxflow/pipeline/modality.hpp>

#include <optional>

namespace voxflow::pipeline::dce_run {

// Files exist and are NIfTI (or a DICOM series), dimensions and geometry agree, timing matches the frame
// count and increases, acquisition parameters are in range. InputError naming the file, field and
// expectation. `dynamic` receives the decoded DICOM series when the dynamic input is one.
InputGrid check_dce_inputs(DceSettings const& settings, std::optional<InputImage>& dynamic);

// Reads everything the run needs (after check_dce_inputs; `dynamic` is consumed when set).
DceData read_dce_data(DceSettings const& settings, std::optional<InputImage>& dynamic);

}  // namespace voxflow::pipeline::dce_run

#endif
