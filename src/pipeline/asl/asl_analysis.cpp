#include "asl_analysis.hpp"

#include "asl_stages.hpp"

#include <voxflow/io/qc_plot.hpp>
#include <voxflow/pipeline/progress.hpp>

namespace voxflow::pipeline::asl_run {

AslAnalysis::AslAnalysis(AslSettings settings, std::string subject)
    : settings_(std::move(settings)), subject_(std::move(subject)) {}

std::string AslAnalysis::method_label() const {
  return settings_.method == asl::AslMethod::single_pld ? "singlepld" : "multipld";
}

std::string AslAnalysis::method_name() const {
  return enum_name(asl::asl_method_names, settings_.method);
}

std::vector<MapSpec> AslAnalysis::map_specs() const {
  std::string const label = method_label();
  bool const multi = settings_.method == asl::AslMethod::multi_pld;
  // Column order: asl_columns(method).
  std::vector<MapSpec> specs;
  specs.push_back({"cbf", label, "mL/100 g/min",
                   multi ? "cerebral blood flow, Buxton kinetic model fitted over every post-labeling delay"
                         : "cerebral blood flow, white-paper single-PLD equation at the longest delay"});
  specs.push_back(
      {"att", label, "s",
       multi ? "arterial transit time, Buxton kinetic model"
             : "not estimated (NaN): the single-PLD equation assumes every transit time below the delay"});
  // BIDS names a quantitative M0 map in anat/ (M0map): the validator checks it there.
  specs.push_back({"M0map", label, "a.u.",
                   "M0 used for calibration (ASL signal units, after the TR correction when applied)", false,
                   "anat"});
  if (multi) specs.push_back({"rsquared", label, "", "coefficient of determination R^2 of the kinetic fit"});
  return specs;
}

nlohmann::json AslAnalysis::provenance() const {
  auto const& c = settings_.constants;
  bool const pasl = c.labeling == asl::Labeling::pasl;
  nlohmann::json constants = {
      {"ArterialSpinLabelingType", enum_name(asl::labeling_names, c.labeling)},
      {"BloodT1Seconds", c.t1_blood_s},
      {"LabelingEfficiency", c.labeling_efficiency},
      {"BackgroundSuppression", settings_.background_suppression},
      {"BackgroundSuppressionEfficiency", c.background_efficiency},
      {"EffectiveLabelingEfficiency", c.alpha()},
      {"PartitionCoefficientMLPerG", c.partition_coefficient},
      {"CBFScale", asl::cbf_scale},
      {"PostLabelingDelaysSeconds", layout_.plan.group_pld_s},
      {"M0TRCorrection", settings_.m0_tr_correction},
      {"M0Scale", c.m0_scale},
      {"TissueT1Seconds", settings_.t1_tissue_s},
  };
  if (pasl)
    constants["BolusCutOffDelayTimeSeconds"] = c.bolus_duration_s;
  else
    constants["LabelingDurationSeconds"] = c.labeling_duration_s;
  if (settings_.m0_repetition_time_s) constants["M0RepetitionTimeSeconds"] = *settings_.m0_repetition_time_s;
  nlohmann::json p = {{"Model", settings_.method == asl::AslMethod::multi_pld
                                    ? "Buxton general kinetic model, one T1 (blood); t = tau + PLD (PASL: TI)"
                                    : "white-paper single-PLD equation (Alsop et al. 2015)"},
                      {"Method", settings_.method == asl::AslMethod::multi_pld
                                     ? "bounded Levenberg-Marquardt from the best of a coarse ATT grid"
                                     : "closed form at the longest post-labeling delay"},
                      {"Sources", nlohmann::json::array({settings_.inputs.asl, settings_.inputs.aslcontext})},
                      {"Subtraction", "pairwise control - label in aslcontext order, averaged per delay"},
                      {"Constants", constants},
                      {"M0", data_.m0_info},
                      {"ParameterSources", settings_.sources}};
  if (settings_.method == asl::AslMethod::single_pld)
    p["SinglePLDDelaySeconds"] = layout_.plan.group_pld_s.back();
  else
    p["Bounds"] = {{"CBF", {settings_.cbf_bounds[0], settings_.cbf_bounds[1]}},
                   {"ATTSeconds", {settings_.att_bounds_s[0], settings_.att_bounds_s[1]}}};
  return p;
}

InputGrid AslAnalysis::check_inputs() {
  return check_asl_inputs(settings_, layout_);
}

VoxelSelection AslAnalysis::read() {
  data_ = read_asl_data(settings_, layout_);
  return data_.voxels;
}

SubjectMaps AslAnalysis::compute(ComputeContext const& context) {
  auto const specs = map_specs();
  auto const n = static_cast<std::int64_t>(data_.voxels.size());
  // quantify_asl writes every column and every status.
  auto maps = SubjectMaps::uninitialized(specs, n, "voxflow::pipeline::asl");
  dispatch(context.backend, [&](auto space) {
    VoxelRange const range = context.fit_range(n);
    Progress progress("sub-" + subject_ + " quantify", range.size(), context.quiet);
    quantify_voxels(space, settings_, layout_, data_, range, context.chunk_voxels,
                    {map_columns(maps.values, 0, specs.size()), maps.status}, &progress);
    context.timer->stage("quantify");
  });
  return maps;
}

std::vector<TextOutput> AslAnalysis::extra_outputs() const {
  return {};
}

std::vector<RecordVector> AslAnalysis::record_vectors() const {
  return {{"/asl/post_labeling_delay_s", "s", layout_.plan.group_pld_s}};
}

std::vector<std::pair<std::string, std::string>> AslAnalysis::record_attributes() const {
  return {{"method", method_name()}, {"constants", provenance()["Constants"].dump()}};
}

std::vector<double> AslAnalysis::delta_m_of_row(std::int64_t row) const {
  auto const& plan = layout_.plan;
  std::vector<double> sum(plan.group_pld_s.size(), 0.0), count(plan.group_pld_s.size(), 0.0);
  for (std::size_t k = 0; k < plan.control.size(); ++k) {
    double const label = plan.label[k] >= 0 ? data_.series(row, plan.label[k]) : 0.0;
    sum[static_cast<std::size_t>(plan.group[k])] += data_.series(row, plan.control[k]) - label;
    count[static_cast<std::size_t>(plan.group[k])] += 1.0;
  }
  double const m0 = data_.m0[static_cast<std::size_t>(row)] * settings_.constants.m0_scale;
  for (std::size_t g = 0; g < sum.size(); ++g) sum[g] /= count[g] * m0;
  return sum;
}

std::vector<QcPanel> AslAnalysis::qc_panels(SubjectMaps const& maps,
                                            std::vector<std::int64_t> const& rows) const {
  QcPanel panel{"control - label over M0", "post-labeling delay [s]", "dM/M0", {}};
  auto const columns = asl::asl_columns(settings_.method);
  auto const& plds = layout_.plan.group_pld_s;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    int const color = static_cast<int>(i % 3);
    double const cbf = maps.values(rows[i], columns.cbf);
    panel.curves.push_back({plds, delta_m_of_row(rows[i]), true, "", color});
    if (settings_.method != asl::AslMethod::multi_pld) continue;
    // The fitted model on a fine grid of delays.
    double const att = maps.values(rows[i], columns.att);
    std::vector<double> x, y;
    for (int j = 0; j <= 60; ++j) {
      double const pld = plds.front() + (plds.back() - plds.front()) * j / 60.0;
      x.push_back(pld);
      y.push_back(cbf * asl::kinetic_term(settings_.constants, pld, att).per_cbf);
    }
    panel.curves.push_back({x, y, false, "CBF=" + io::format_number(cbf), color});
  }
  return {panel};
}

}  // namespace voxflow::pipeline::asl_run
