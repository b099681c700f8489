// One DCE subject from files to maps (DESIGN.md §3): load → validate geometry and timing → signal to
// concentration (when the input is signal) → AIF → fit in chunks on the chosen backend → derived maps →
// atomic outputs. Each stage is a plain function on Views; this file only orchestrates and times them.
#ifndef VOXFLOW_PIPELINE_DCE_PIPELINE_HPP
#define VOXFLOW_PIPELINE_DCE_PIPELINE_HPP

#include <voxflow/pipeline/dce_config.hpp>

#include <map>
#include <string>
#include <vector>

namespace voxflow::pipeline {

struct RunOptions {
  bool resume = false;                  // skip a subject whose outputs are complete
  bool quiet = false;                   // no progress output
  std::int64_t chunk_voxels = 1 << 18;  // voxels per upload/fit/download round trip
};

struct SubjectReport {
  std::string subject;
  bool skipped = false;  // resumed: outputs were already complete
  std::int64_t voxels = 0, fitted = 0, usable = 0;
  std::vector<std::pair<std::string, double>> stage_seconds;  // in run order
  double total_seconds = 0.0;
  std::string folder;  // where the outputs are
  std::vector<std::string> files;
};

// Header-level checks of every input named by the configuration, before any data is read: files exist and are
// NIfTI, dimensions and geometry agree, timing matches the frame count and increases, acquisition parameters
// are in range. Throws InputError naming the file, field and expectation.
void check_dce_inputs(DceRunConfig const& config);

SubjectReport run_dce_subject(DceRunConfig const& config, RunOptions const& options);

// BIDS desc label of a model ("extendedtofts", "2cxm", ...).
std::string dce_desc_label(dce::DceModel model);

}  // namespace voxflow::pipeline

#endif
