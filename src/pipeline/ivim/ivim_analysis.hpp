// One IVIM subject as the subject pipeline runs it (private to src/pipeline/ivim): the diffusion series
// averaged per b-value shell, the fit of every voxel, and what is written beside the maps (the shells used,
// QC curves).
#ifndef VOXFLOW_SRC_PIPELINE_IVIM_IVIM_ANALYSIS_HPP
#define VOXFLOW_SRC_PIPELINE_IVIM_IVIM_ANALYSIS_HPP

#include "ivim_inputs.hpp"
#include "ivim_settings.hpp"

#include <voxflow/pipeline/input_image.hpp>
#include <voxflow/pipeline/modality.hpp>

#include <limits>
#include <optional>
#include <string>

namespace voxflow::pipeline::ivim_run {

class IvimAnalysis final : public SubjectAnalysis {
 public:
  IvimAnalysis(IvimSettings settings, std::string subject);

  std::string method_label() const override;
  std::string method_name() const override;
  std::vector<MapSpec> map_specs() const override;
  nlohmann::json provenance() const override;
  InputGrid check_inputs() override;
  VoxelSelection read() override;
  SubjectMaps compute(ComputeContext const& context) override;
  std::vector<TextOutput> extra_outputs() const override;
  std::vector<RecordVector> record_vectors() const override;
  std::vector<std::pair<std::string, std::string>> record_attributes() const override;
  std::vector<QcPanel> qc_panels(SubjectMaps const& maps,
                                 std::vector<std::int64_t> const& rows) const override;

 private:
  IvimSettings settings_;
  std::string subject_;
  ivim::BValueShells shells_;
  std::optional<InputImage> dwi_;  // a DICOM series, decoded by check_inputs and consumed by read
  IvimData data_;
  double noise_sd_ = std::numeric_limits<double>::quiet_NaN();  // the subject's, Bayesian global noise
};

}  // namespace voxflow::pipeline::ivim_run

#endif
