// The BIDS aslcontext of an ASL series and the subtraction plan it implies (private to src/pipeline/asl):
// which volumes are controls, labels, ΔM or M0, which pairs are subtracted (the i-th control with the i-th
// label, in the order of the file) and at which delay each difference is averaged.
#ifndef VOXFLOW_SRC_PIPELINE_ASL_ASL_CONTEXT_HPP
#define VOXFLOW_SRC_PIPELINE_ASL_ASL_CONTEXT_HPP

#include <voxflow/asl/quantify_asl.hpp>

#include <string>
#include <vector>

namespace voxflow::pipeline::asl_run {

enum class VolumeType { label, control, deltam, cbf, m0scan, norf };

// The volume types of `path`, one per volume; InputError naming the file and line for anything else.
std::vector<VolumeType> read_aslcontext(std::string const& path);

// The pairwise subtraction plan of a series with these volume types and one delay per volume (`pld_s` of
// the same length). InputError naming `context_path` when there is no control (or no label) to pair, the
// counts differ, or a pair mixes two delays.
asl::DifferencePlan difference_plan(std::vector<VolumeType> const& types, std::vector<double> const& pld_s,
                                    std::string const& context_path);

// The indices of the m0scan volumes.
std::vector<int> m0scan_volumes(std::vector<VolumeType> const& types);

}  // namespace voxflow::pipeline::asl_run

#endif
