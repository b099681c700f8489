// ASL inputs from a BIDS raw dataset (the perf datatype ASLPrep and ExploreASL read):
//   <root>/sub-<s>[/ses-<x>]/perf/sub-<s>[_ses-<x>][_<entities>]_asl.nii[.gz]   the series
// with, beside it under the same prefix, _aslcontext.tsv, the .json sidecar and an optional _m0scan.nii[.gz]
// (+ .json); read_asl_settings finds those from the series' name.
#ifndef VOXFLOW_SRC_PIPELINE_ASL_BIDS_ASL_HPP
#define VOXFLOW_SRC_PIPELINE_ASL_BIDS_ASL_HPP

#include <voxflow/pipeline/run_config.hpp>

#include <string>

namespace voxflow::pipeline::asl_run {

// The subject's (and session's) ASL series, chosen by the run and acq keys among several (find_bids_series).
std::string find_bids_asl(std::string const& root, RunSettings const& settings);

}  // namespace voxflow::pipeline::asl_run

#endif
