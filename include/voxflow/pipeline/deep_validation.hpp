// `voxflow validate --deep`: beyond the header checks every run does first (SubjectAnalysis::check_inputs),
// every NIfTI image the configuration names is read in full, so that a truncated or corrupt .nii.gz (which
// a header check cannot see) is found before a run, and the non-finite values each input holds are counted.
#ifndef VOXFLOW_PIPELINE_DEEP_VALIDATION_HPP
#define VOXFLOW_PIPELINE_DEEP_VALIDATION_HPP

#include <voxflow/pipeline/run_config.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::pipeline {

struct DeepImageCheck {
  std::string path;
  std::int64_t values = 0;      // voxels times time points
  std::int64_t non_finite = 0;  // NaN or infinite after scaling
};

// Reads every NIfTI file named by a path key of `config` (each once): the gzip stream inflated to its end and
// its checksum verified, every value converted. InputError naming the file for any defect; non-finite values
// are counted, not refused (a failing voxel is data). Inputs found through a BIDS folder or a DICOM series
// are not listed here: the header checks already decode DICOM series, and BIDS data files are named by the
// run.
std::vector<DeepImageCheck> deep_check_images(RunConfig const& config);

// "2 images read in full (1200 values, 3 non-finite: 3 in conc.nii.gz)".
std::string describe_deep_check(std::vector<DeepImageCheck> const& checks);

}  // namespace voxflow::pipeline

#endif
