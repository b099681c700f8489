// DCE inputs from a BIDS-like raw dataset. BIDS has no DCE suffix yet (bids-specification #1549; ECOSYSTEM.md
// C.3), so voxflow recognises the layout the community uses meanwhile:
//   <root>/sub-<s>[/ses-<x>]/perf/sub-<s>[_ses-<x>][_<entities>]_dce.nii[.gz]   the dynamic SPGR series
//   ... with its JSON sidecar: FlipAngle (deg), RepetitionTimeExcitation (s; the TR of the SPGR excitations,
//   which the signal conversion needs; BIDS RepetitionTime is the time between volumes and is never used for
//   it), and the frame times as VolumeTiming or FrameTimesStart (s)
//   <root>/sub-<s>[/ses-<x>]/anat/*_T1map.nii[.gz]                              optional pre-contrast T1 (s)
#ifndef VOXFLOW_SRC_PIPELINE_DCE_BIDS_DCE_HPP
#define VOXFLOW_SRC_PIPELINE_DCE_BIDS_DCE_HPP

#include <voxflow/pipeline/run_config.hpp>

#include <optional>
#include <string>
#include <vector>

namespace voxflow::pipeline::dce_run {

struct BidsDceInputs {
  std::string dce;      // the dynamic series
  std::string t1_map;   // empty when the dataset has none
  std::string sidecar;  // the series' JSON sidecar, named in errors; empty when there is none
  std::optional<double> flip_angle_deg;
  std::optional<double> repetition_time_s;  // RepetitionTimeExcitation
  std::vector<double> frame_times_s;        // empty when the sidecar has none
};

// Finds the subject's (and session's) DCE series; InputError naming the folder when there is none or more
// than one.
BidsDceInputs find_bids_dce(std::string const& root, RunSettings const& settings);

}  // namespace voxflow::pipeline::dce_run

#endif
