// An ASL subject's input files (private to src/pipeline/asl): header-level checks of the series, its
// aslcontext, the delays, the M0 source and the masks, then the voxel data and the M0 of every voxel.
#ifndef VOXFLOW_SRC_PIPELINE_ASL_ASL_INPUTS_HPP
#define VOXFLOW_SRC_PIPELINE_ASL_ASL_INPUTS_HPP

#include "asl_context.hpp"
#include "asl_settings.hpp"

#include <voxflow/pipeline/modality.hpp>

#include <nlohmann/json.hpp>

namespace voxflow::pipeline::asl_run {

// What the checks establish before any voxel is read.
struct AslLayout {
  std::vector<VolumeType> types;  // one per volume
  std::vector<double> pld_s;      // one per volume
  asl::DifferencePlan plan;
  std::vector<int> m0_volumes;  // m0scan volumes of the series (used when there is no separate M0 scan)
};

// Everything read from disk for one subject, on the host.
struct AslData {
  VoxelSelection voxels;
  Kokkos::View<double**, Kokkos::HostSpace> series;  // (voxel, volume)
  std::vector<double> m0;                            // per voxel, before the TR correction
  nlohmann::json m0_info;                            // what the sidecars say about the M0 used
};

// Files exist and are NIfTI, the aslcontext has one line per volume, the delays match the volumes, pairs can
// be formed, every image lies on the series' grid, and an M0 source exists. InputError naming the file,
// field and expectation.
InputGrid check_asl_inputs(AslSettings const& settings, AslLayout& layout);

// Reads the voxel data (after check_asl_inputs). InputError when the M0 is <= 0 in every voxel of the mask.
AslData read_asl_data(AslSettings const& settings, AslLayout const& layout);

}  // namespace voxflow::pipeline::asl_run

#endif
