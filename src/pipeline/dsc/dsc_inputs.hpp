// A DSC subject's input files (private to src/pipeline/dsc): header-level checks of everything the
// configuration names, then the voxel data.
#ifndef VOXFLOW_SRC_PIPELINE_DSC_DSC_INPUTS_HPP
#define VOXFLOW_SRC_PIPELINE_DSC_DSC_INPUTS_HPP

#include "dsc_settings.hpp"
#include "dsc_stages.hpp"

#include <voxflow/pipeline/modality.hpp>

namespace voxflow::pipeline::dsc_run {

// The signal is a 4-D NIfTI whose frame times (inputs.timing) are evenly spaced, the masks share its grid,
// the echo time (configuration or BIDS sidecar) is positive, the baseline frames fit, an AIF file has one
// value per frame. InputError naming the file, field and expectation.
InputGrid check_dsc_inputs(DscSettings const& settings);

// Reads everything the run needs (after check_dsc_inputs): the masked voxels' signal, the AIF voxels (the
// AIF mask must not be empty and must overlap inputs.mask), the baseline (detected when not configured).
DscData read_dsc_data(DscSettings const& settings);

// TE of the configuration, else EchoTime of the signal's JSON sidecar; InputError when neither is positive.
double echo_time_s(DscSettings const& settings);

}  // namespace voxflow::pipeline::dsc_run

#endif
