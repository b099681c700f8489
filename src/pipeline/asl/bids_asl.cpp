#include "bids_asl.hpp"

#include <voxflow/pipeline/bids_subject.hpp>

namespace voxflow::pipeline::asl_run {

std::string find_bids_asl(std::string const& root, RunSettings const& settings) {
  return find_bids_series(root, settings, "perf", "asl");
}

}  // namespace voxflow::pipeline::asl_run
