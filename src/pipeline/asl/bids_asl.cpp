#include "bids_asl.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/bids_subject.hpp>

namespace voxflow::pipeline::asl_run {

std::string find_bids_asl(std::string const& root, std::string const& subject, std::string const& session) {
  auto const bids = find_bids_subject(root, subject, session);
  auto const series = bids_files(bids, "perf", {"_asl.nii.gz", "_asl.nii"});
  require_input(
      series.size() == 1, bids.folder + "/perf", "inputs.bids",
      "exactly one " + bids.prefix + "*_asl.nii[.gz] series, found " + std::to_string(series.size()));
  return series.front();
}

}  // namespace voxflow::pipeline::asl_run
