#include "dsc_analysis.hpp"

#include "dsc_inputs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/qc_plot.hpp>
#include <voxflow/pipeline/progress.hpp>

#include <cmath>
#include <sstream>

namespace voxflow::pipeline::dsc_run {

namespace {

constexpr int aif_color = 3;  // the QC palette's red

// The sidecar's name of the configured threshold, by method.
std::string threshold_suffix(dsc::DeconvolutionMethod m) {
  return m == dsc::DeconvolutionMethod::tikhonov ? "lambda" : "threshold";
}

// The mean of column `column` over `rows` where it is finite and positive (the voxels with a usable fit);
// 0 when there is none.
double region_mean(SubjectMaps const& maps, std::vector<std::int64_t> const& rows, int column,
                   std::size_t& used) {
  double sum = 0.0;
  used = 0;
  for (std::int64_t r : rows) {
    double const x = maps.values(r, column);
    if (std::isfinite(x) && x > 0.0) {
      sum += x;
      ++used;
    }
  }
  return used > 0 ? sum / static_cast<double>(used) : 0.0;
}

}  // namespace

DscAnalysis::DscAnalysis(DscSettings settings, std::string subject)
    : settings_(std::move(settings)), subject_(std::move(subject)) {}

std::string DscAnalysis::method_label() const {
  return method_name();
}

std::string DscAnalysis::method_name() const {
  return dsc::deconvolution_method_name(settings_.deconvolution.method);
}

std::vector<MapSpec> DscAnalysis::map_specs() const {
  std::string const label = method_label();
  // Column order: what deconvolve_voxels writes (dsc::DscMapColumn), then K2 with leakage correction.
  std::vector<MapSpec> specs{
      {"CBF", label, "mL/100g/min", "cerebral blood flow, 6000 * kh/density * max(F*R(t))"},
      {"CBV", label, "mL/100g", "cerebral blood volume, 100 * kh/density * integral(tissue) / integral(AIF)"},
      {"MTT", label, "s", "mean transit time, 60 * CBV / CBF"},
      {"Tmax", label, "s", "time of the maximum of the residue function"},
      {"TTP", label, "s", "time to the dR2* peak after the first frame"},
      {"BAT", label, "s", "bolus arrival: where dR2* first reaches 10 % of its peak"},
      {threshold_suffix(settings_.deconvolution.method), label, "",
       settings_.deconvolution.method == dsc::DeconvolutionMethod::tikhonov
           ? "Tikhonov lambda relative to the largest singular value (L-curve: chosen per voxel)"
           : "truncation threshold relative to the largest singular value (oSVD: chosen per voxel)"}};
  if (settings_.leakage_correction)
    specs.push_back({"K2", label, "1/s", "Boxerman-Schmainda-Weisskoff leakage coefficient K2"});
  if (!settings_.reference_mask.empty()) {
    specs.push_back({"rCBF", label, "", "CBF over its mean in the reference region"});
    specs.push_back({"rCBV", label, "", "CBV over its mean in the reference region"});
  }
  return specs;
}

nlohmann::json DscAnalysis::provenance() const {
  auto const& d = settings_.deconvolution;
  nlohmann::json deconvolution{{"Method", method_name()}, {"Discretisation", "rectangle rule"}};
  switch (d.method) {
    case dsc::DeconvolutionMethod::ssvd:
      deconvolution["Matrix"] = "causal Toeplitz";
      deconvolution["Threshold"] = d.threshold;
      break;
    case dsc::DeconvolutionMethod::csvd:
      deconvolution["Matrix"] = "block-circulant, 2N zero-padded";
      deconvolution["Threshold"] = d.threshold;
      break;
    case dsc::DeconvolutionMethod::osvd:
      deconvolution["Matrix"] = "block-circulant, 2N zero-padded";
      deconvolution["CandidateThresholds"] = d.osvd_thresholds;
      deconvolution["OscillationBound"] = d.oscillation_bound;
      break;
    case dsc::DeconvolutionMethod::tikhonov:
      deconvolution["Matrix"] = "causal Toeplitz";
      if (d.lambda_selection == dsc::LambdaSelection::lcurve) {
        deconvolution["LambdaSelection"] = "L-curve maximum curvature, per voxel";
        deconvolution["CandidateLambdas"] = dsc::lcurve_lambdas();
      } else {
        deconvolution["Lambda"] = d.tikhonov_lambda;
      }
      break;
  }
  return {{"Model", "DSC-MRI indicator dilution (dR2* as concentration)"},
          {"Method", method_name() + " deconvolution"},
          {"Sources", nlohmann::json::array({settings_.inputs.signal})},
          {"EchoTimeSeconds", data_.conversion.echo_time_s},
          {"BaselineFrames", {data_.conversion.baseline_begin, data_.conversion.baseline_end}},
          {"VoxelsWithoutBaseline", voxels_without_baseline_},
          {"HematocritFactor", settings_.kh},
          {"DensityGramsPerMl", settings_.density_g_per_ml},
          {"LeakageCorrection", settings_.leakage_correction ? leakage_info_ : nlohmann::json(false)},
          {"Recirculation", settings_.recirculation == Recirculation::none
                                ? nlohmann::json(false)
                                : nlohmann::json{{"Method", "gamma variate fitted to the first pass (LM)"},
                                                 {"TailFraction", settings_.tail_fraction}}},
          {"Normalisation", settings_.reference_mask.empty() ? nlohmann::json(false) : normalisation_info_},
          {"Deconvolution", deconvolution},
          {"AIF", aif_.info}};
}

InputGrid DscAnalysis::check_inputs() {
  return check_dsc_inputs(settings_);
}

VoxelSelection DscAnalysis::read() {
  data_ = read_dsc_data(settings_);
  return data_.voxels;
}

SubjectMaps DscAnalysis::compute(ComputeContext const& context) {
  auto const n = static_cast<std::int64_t>(data_.voxels.size());
  // Every column and every status is written below (K2 only with leakage correction, when it is a column).
  SubjectMaps maps = allocate_subject_maps(map_specs(), n, "voxflow::pipeline::dsc");
  dispatch(context.backend, [&](auto space) {
    dsc::DeltaR2Result bad;
    delta_r2_ = delta_r2_of_voxels(space, data_, context.chunk_voxels, bad);
    // A voxel without a baseline (a sample <= 0, NaN or Inf in it: background or a corrupt voxel at the
    // mask's edge) is data: its curve is NaN, so its maps are NaN with the non-finite-input status, and the
    // AIF and leakage reference leave it out. Only a subject where no voxel has one is refused.
    voxels_without_baseline_ = bad.bad_baseline_voxels;
    if (n > 0 && bad.bad_baseline_voxels == n) {
      std::int64_t const i = data_.voxels.index[static_cast<std::size_t>(bad.first_bad_voxel)];
      std::ostringstream what;
      what << "a signal > 0 and finite in every baseline frame [" << data_.conversion.baseline_begin << ", "
           << data_.conversion.baseline_end << ") of at least one analysed voxel: all " << n
           << " have a sample <= 0 or not finite (the first at voxel " << i % data_.dims[0] << ","
           << (i / data_.dims[0]) % data_.dims[1] << "," << i / (data_.dims[0] * data_.dims[1])
           << "); restrict inputs.mask to tissue or choose other acquisition.baseline_frames";
      throw InputError(settings_.inputs.signal, "signal", what.str());
    }
    context.timer->stage("delta_r2");
    aif_ = compute_aif(space, settings_, data_, delta_r2_);
    context.timer->stage("aif");
    std::vector<double> k2;
    if (settings_.leakage_correction) {
      k2 = correct_leakage(space, data_, delta_r2_, context.chunk_voxels, settings_.inputs.signal,
                           leakage_info_);
      context.timer->stage("leakage");
    }
    std::vector<FitStatus> first_pass;
    if (settings_.recirculation == Recirculation::gamma_variate) {
      first_pass =
          remove_recirculation(space, data_.times, delta_r2_, context.chunk_voxels, settings_.tail_fraction);
      remove_aif_recirculation(space);
      context.timer->stage("recirculation");
    }
    // Only the deconvolution is split: ΔR2*, the AIF, leakage and recirculation are whole-subject stages
    // (the AIF detection and the leakage reference need every voxel's curve, the QC image any voxel's).
    VoxelRange const range = context.fit_range(n);
    Progress progress("sub-" + subject_ + " deconvolution", range.size(), context.quiet);
    deconvolve_all(space, settings_, data_, delta_r2_, aif_, range, context.chunk_voxels,
                   {map_columns(maps.values, 0, dsc::dsc_map_count), maps.status}, &progress);
    for (std::size_t v = 0; v < k2.size(); ++v)
      maps.values(static_cast<std::int64_t>(v), dsc::dsc_map_count) = k2[v];
    // A voxel whose first pass could not be fitted: its fit status, no maps.
    for (std::size_t v = 0; v < first_pass.size(); ++v)
      if (!dsc::first_pass_fitted(first_pass[v]) && first_pass[v] != FitStatus::flat_signal) {
        auto const row = static_cast<std::int64_t>(v);
        for (int c = 0; c < dsc::dsc_map_count; ++c) maps.values(row, c) = std::nan("");
        maps.status(row) = static_cast<std::uint8_t>(first_pass[v]);
      }
    context.timer->stage("deconvolution");
  });
  return maps;
}

void DscAnalysis::finish(SubjectMaps& maps) {
  // The reference region's mean needs every voxel's CBF and CBV.
  if (!settings_.reference_mask.empty()) normalise(maps);
}

template <class Space>
void DscAnalysis::remove_aif_recirculation(Space const& space) {
  HostCurves aif("voxflow::pipeline::dsc::aif", 1, aif_.delta_r2.size());
  for (std::size_t j = 0; j < aif_.delta_r2.size(); ++j) aif(0, j) = aif_.delta_r2[j];
  FitStatus const status = remove_recirculation(space, data_.times, aif, 1, settings_.tail_fraction).front();
  require_input(dsc::first_pass_fitted(status),
                settings_.aif.source == DscAifSource::file ? settings_.aif.file : settings_.config_file,
                "recirculation.method",
                std::string("an AIF whose first pass a gamma variate fits (fit status ") +
                    fit_status_name(status) + "); use recirculation.method: none");
  for (std::size_t j = 0; j < aif_.delta_r2.size(); ++j) aif_.delta_r2[j] = aif(0, j);
  aif_.info["Recirculation"] = "removed: gamma variate fitted to the first pass";
}

void DscAnalysis::normalise(SubjectMaps& maps) {
  int const first = dsc::dsc_map_count + (settings_.leakage_correction ? 1 : 0);
  nlohmann::json info{{"Method", "mean"}, {"Mask", settings_.reference_mask}};
  for (int c : {static_cast<int>(dsc::cbf), static_cast<int>(dsc::cbv)}) {
    std::size_t used = 0;
    double const reference = region_mean(maps, data_.reference_rows, c, used);
    require_input(used > 0, settings_.reference_mask, "normalisation.reference_mask",
                  "a reference region with at least one voxel of positive " +
                      std::string(c == dsc::cbf ? "CBF" : "CBV") + " (none of its " +
                      std::to_string(data_.reference_rows.size()) + " analysed voxels has one)");
    int const out = first + (c == dsc::cbf ? 0 : 1);
    for (std::int64_t v = 0; v < static_cast<std::int64_t>(maps.values.extent(0)); ++v)
      maps.values(v, out) = maps.values(v, c) / reference;
    std::string const name = c == dsc::cbf ? "CBF" : "CBV";
    info["Reference" + name] = reference;
    info["ReferenceVoxels" + name] = used;
  }
  normalisation_info_ = info;
}

std::vector<TextOutput> DscAnalysis::extra_outputs() const {
  std::ostringstream table;
  table.precision(10);
  table << "time_s\tdelta_r2_per_s\n";
  for (std::size_t j = 0; j < data_.times.size(); ++j)
    table << data_.times[j] << "\t" << aif_.delta_r2[j] << "\n";
  nlohmann::json info = aif_.info;
  info["HematocritFactor"] = settings_.kh;
  info["DensityGramsPerMl"] = settings_.density_g_per_ml;
  return {{"aif", ".tsv", table.str()}, {"aif", ".json", info.dump(2) + "\n"}};
}

std::vector<RecordVector> DscAnalysis::record_vectors() const {
  return {{"/aif/time_s", "s", data_.times}, {"/aif/delta_r2_per_s", "1/s", aif_.delta_r2}};
}

std::vector<std::pair<std::string, std::string>> DscAnalysis::record_attributes() const {
  return {{"method", method_name()},
          {"aif", aif_.info.dump()},
          {"kh", std::to_string(settings_.kh)},
          {"density_g_per_ml", std::to_string(settings_.density_g_per_ml)}};
}

std::vector<QcPanel> DscAnalysis::qc_panels(SubjectMaps const& maps,
                                            std::vector<std::int64_t> const& rows) const {
  QcPanel aif{"AIF used", "time [s]", "dR2* [1/s]", {{data_.times, aif_.delta_r2, false, "AIF", aif_color}}};
  QcPanel tissue{"tissue dR2*", "time [s]", "dR2* [1/s]", {}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<double> curve(data_.times.size());
    for (std::size_t j = 0; j < curve.size(); ++j)
      curve[j] = delta_r2_(rows[i], static_cast<std::int64_t>(j));
    tissue.curves.push_back({data_.times, curve, true,
                             "CBF=" + io::format_number(maps.values(rows[i], dsc::cbf)),
                             static_cast<int>(i % 3)});
  }
  return {aif, tissue};
}

}  // namespace voxflow::pipeline::dsc_run
