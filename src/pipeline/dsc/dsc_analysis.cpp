#include "dsc_analysis.hpp"

#include "dsc_inputs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/qc_plot.hpp>
#include <voxflow/pipeline/progress.hpp>

#include <sstream>

namespace voxflow::pipeline::dsc_run {

namespace {

constexpr int aif_color = 3;  // the QC palette's red

// The sidecar's name of the configured threshold, by method.
std::string threshold_suffix(dsc::DeconvolutionMethod m) {
  return m == dsc::DeconvolutionMethod::tikhonov ? "lambda" : "threshold";
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
           ? "Tikhonov lambda relative to the largest singular value"
           : "truncation threshold relative to the largest singular value (oSVD: chosen per voxel)"}};
  if (settings_.leakage_correction)
    specs.push_back({"K2", label, "1/s", "Boxerman-Schmainda-Weisskoff leakage coefficient K2"});
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
      deconvolution["Lambda"] = d.tikhonov_lambda;
      break;
  }
  return {{"Model", "DSC-MRI indicator dilution (dR2* as concentration)"},
          {"Method", method_name() + " deconvolution"},
          {"Sources", nlohmann::json::array({settings_.inputs.signal})},
          {"EchoTimeSeconds", data_.conversion.echo_time_s},
          {"BaselineFrames", {data_.conversion.baseline_begin, data_.conversion.baseline_end}},
          {"HematocritFactor", settings_.kh},
          {"DensityGramsPerMl", settings_.density_g_per_ml},
          {"LeakageCorrection", settings_.leakage_correction ? leakage_info_ : nlohmann::json(false)},
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
    if (bad.bad_baseline_voxels > 0) {
      std::int64_t const i = data_.voxels.index[static_cast<std::size_t>(bad.first_bad_voxel)];
      std::ostringstream what;
      what << "a signal > 0 in every baseline frame [" << data_.conversion.baseline_begin << ", "
           << data_.conversion.baseline_end << ") of every analysed voxel: " << bad.bad_baseline_voxels
           << " voxels have a sample <= 0 (the first at voxel " << i % data_.dims[0] << ","
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
    Progress progress("sub-" + subject_ + " deconvolution", n, context.quiet);
    deconvolve_all(space, settings_, data_, delta_r2_, aif_, context.chunk_voxels,
                   {map_columns(maps.values, 0, dsc::dsc_map_count), maps.status}, &progress);
    for (std::size_t v = 0; v < k2.size(); ++v)
      maps.values(static_cast<std::int64_t>(v), dsc::dsc_map_count) = k2[v];
    context.timer->stage("deconvolution");
  });
  return maps;
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
