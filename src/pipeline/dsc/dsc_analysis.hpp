// One DSC subject as the subject pipeline runs it (private to src/pipeline/dsc): ΔR2*, the AIF, leakage
// correction, the deconvolution, and what is written beside the maps (the AIF used, QC curves).
#ifndef VOXFLOW_SRC_PIPELINE_DSC_DSC_ANALYSIS_HPP
#define VOXFLOW_SRC_PIPELINE_DSC_DSC_ANALYSIS_HPP

#include "dsc_settings.hpp"
#include "dsc_stages.hpp"

#include <voxflow/pipeline/modality.hpp>

#include <string>

namespace voxflow::pipeline::dsc_run {

class DscAnalysis final : public SubjectAnalysis {
 public:
  DscAnalysis(DscSettings settings, std::string subject);

  std::string method_label() const override;
  std::string method_name() const override;
  std::vector<MapSpec> map_specs() const override;
  nlohmann::json provenance() const override;
  InputGrid check_inputs() override;
  VoxelSelection read() override;
  SubjectMaps compute(ComputeContext const& context) override;
  void finish(SubjectMaps& maps) override;
  std::vector<TextOutput> extra_outputs() const override;
  std::vector<RecordVector> record_vectors() const override;
  std::vector<std::pair<std::string, std::string>> record_attributes() const override;
  std::vector<QcPanel> qc_panels(SubjectMaps const& maps,
                                 std::vector<std::int64_t> const& rows) const override;

  DscSettings const& settings() const { return settings_; }

 private:
  // The AIF replaced by its first-pass gamma variate; InputError when that cannot be fitted.
  template <class Space>
  void remove_aif_recirculation(Space const& space);
  // rCBF and rCBV from CBF and CBV and the reference region's means.
  void normalise(SubjectMaps& maps);

  DscSettings settings_;
  std::string subject_;
  DscData data_;
  HostCurves delta_r2_;
  DscAif aif_;
  nlohmann::json leakage_info_, normalisation_info_;
  std::int64_t voxels_without_baseline_ = 0;  // a baseline sample <= 0 or not finite: NaN maps, their status
};

}  // namespace voxflow::pipeline::dsc_run

#endif
