// An IVIM subject's input files (private to src/pipeline/ivim): header-level checks of everything the
// configuration names (the diffusion series, its b-values and directions, the mask), then the voxel data,
// averaged over repeated b-values and directions into one sample per b-value shell.
#ifndef VOXFLOW_SRC_PIPELINE_IVIM_IVIM_INPUTS_HPP
#define VOXFLOW_SRC_PIPELINE_IVIM_IVIM_INPUTS_HPP

#include "ivim_settings.hpp"

#include <voxflow/ivim/b_value_shells.hpp>
#include <voxflow/pipeline/input_image.hpp>
#include <voxflow/pipeline/masked_volume.hpp>
#include <voxflow/pipeline/modality.hpp>

#include <optional>
#include <string>

namespace voxflow::pipeline::ivim_run {

// Everything read from disk for one subject, on the host.
struct IvimData {
  ivim::BValueShells shells;
  VoxelSelection voxels;
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> series;  // (voxel, shell): mean signal
};

// The dwi series is NIfTI (or a DICOM series), 4-D with at least 4 volumes; the .bval file has one b-value
// per volume, a b = 0 volume and enough distinct b-values for the method; the .bvec file (if any) has three
// components per volume; the mask lies on the series' grid. InputError naming the file, field and
// expectation. `shells` receives the protocol; `dwi` the decoded DICOM series when the input is one.
InputGrid check_ivim_inputs(IvimSettings const& settings, ivim::BValueShells& shells,
                            std::optional<InputImage>& dwi);

// Reads the selected voxels' curves (after check_ivim_inputs; `dwi` is consumed when set).
IvimData read_ivim_data(IvimSettings const& settings, ivim::BValueShells const& shells,
                        std::optional<InputImage>& dwi);

}  // namespace voxflow::pipeline::ivim_run

#endif
