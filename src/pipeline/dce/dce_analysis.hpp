// One DCE subject as the subject pipeline runs it (private to src/pipeline/dce): T1 (when a VFA series is
// given), the AIF and the model fit, and what is written beside the maps (the AIF used, QC curves).
#ifndef VOXFLOW_SRC_PIPELINE_DCE_DCE_ANALYSIS_HPP
#define VOXFLOW_SRC_PIPELINE_DCE_DCE_ANALYSIS_HPP

#include "dce_settings.hpp"
#include "dce_stages.hpp"

#include <voxflow/pipeline/input_image.hpp>
#include <voxflow/pipeline/modality.hpp>

#include <optional>
#include <string>

namespace voxflow::pipeline::dce_run {

class DceAnalysis final : public SubjectAnalysis {
 public:
  DceAnalysis(DceSettings settings, std::string subject);

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

  DceSettings const& settings() const { return settings_; }

 private:
  bool maps_t1() const {
    return settings_.signal_input() && settings_.inputs.t1_map.empty() && !settings_.inputs.vfa.empty();
  }

  DceSettings settings_;
  std::string subject_;
  std::optional<InputImage> dynamic_;  // a DICOM series, decoded by check_inputs and consumed by read
  DceData data_;
  DceAif aif_;
};

}  // namespace voxflow::pipeline::dce_run

#endif
