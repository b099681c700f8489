// One ASL subject as the subject pipeline runs it (private to src/pipeline/asl): subtraction, calibration and
// quantification of every voxel, the maps with every constant in their sidecars, and QC curves.
#ifndef VOXFLOW_SRC_PIPELINE_ASL_ASL_ANALYSIS_HPP
#define VOXFLOW_SRC_PIPELINE_ASL_ASL_ANALYSIS_HPP

#include "asl_inputs.hpp"
#include "asl_settings.hpp"

#include <voxflow/pipeline/modality.hpp>

#include <string>

namespace voxflow::pipeline::asl_run {

class AslAnalysis final : public SubjectAnalysis {
 public:
  AslAnalysis(AslSettings settings, std::string subject);

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

  AslSettings const& settings() const { return settings_; }

 private:
  // Mean ΔM/M0 at each distinct delay of one row (voxel) of the data, for QC.
  std::vector<double> delta_m_of_row(std::int64_t row) const;

  AslSettings settings_;
  std::string subject_;
  AslLayout layout_;
  AslData data_;
};

}  // namespace voxflow::pipeline::asl_run

#endif
