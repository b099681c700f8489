#include "dsc_settings.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/simulation_options.hpp>

#include <algorithm>

namespace voxflow::pipeline::dsc_run {

std::vector<KeySpec> dsc_keys() {
  dsc::DeconvolutionOptions const d;
  std::string thresholds = "[";
  for (std::size_t k = 0; k < d.osvd_thresholds.size(); ++k)
    thresholds += (k ? ", " : "") + simulation_text(d.osvd_thresholds[k]);
  thresholds += "]";
  return {
      path_key("inputs.signal", "4-D NIfTI of the T2*-weighted DSC signal"),
      path_key("inputs.timing",
               "text file with one frame time per line (or whitespace-separated), seconds;\n"
               "the frames must be evenly spaced"),
      path_key("inputs.mask", "3-D NIfTI; voxels > 0 are analysed (default: every voxel)"),
      choice_key("aif.source", dsc_aif_source_names, DscAifSource::measured,
                 "measured: mean dR2* of aif.mask; file: aif.file; detect: early, high, narrow first passes"),
      path_key("aif.mask", "source measured: 3-D NIfTI of arterial voxels (inside inputs.mask)"),
      path_key("aif.file", "source file: text file of the arterial dR2* (1/s), one value per frame"),
      number_key("acquisition.echo_time_s", "null",
                 "echo time TE, s (default: EchoTime of the signal's BIDS JSON sidecar)"),
      numbers_key("acquisition.baseline_frames", "null",
                  "pre-bolus frames [first, end) averaged for S0 (null: detected before the bolus arrives)"),
      choice_key("deconvolution.method", dsc::deconvolution_method_names, dsc::DeconvolutionMethod::osvd,
                 "csvd and osvd are insensitive to a tracer delay"),
      number_key("deconvolution.threshold", "null",
                 "ssvd, csvd: singular values <= threshold * s_max are dropped (null: 0.2 ssvd, 0.1 csvd)",
                 0.0, 1.0),
      numbers_key(
          "deconvolution.osvd_thresholds", thresholds,
          "osvd: candidate thresholds; the smallest whose residue oscillates less than the bound wins"),
      number_key("deconvolution.oscillation_bound", "0.035",
                 "osvd: largest oscillation index accepted (Wu et al. 2003)", 0.0),
      number_key("deconvolution.tikhonov_lambda", "0.1",
                 "tikhonov, selection fixed: regularisation lambda relative to s_max", 0.0),
      choice_key("deconvolution.tikhonov_lambda_selection", dsc::lambda_selection_names,
                 dsc::LambdaSelection::fixed,
                 "tikhonov: fixed (tikhonov_lambda) or lcurve (per voxel, the L-curve's corner among\n"
                 "31 lambdas log-spaced over [1e-3, 1] * s_max; the lambda map says which)"),
      number_key("quantification.kh", "0.73",
                 "hematocrit factor (1 - Hct_large) / (1 - Hct_small); 1 = no correction", 0.0),
      number_key("quantification.density_g_per_ml", "1.04", "brain density, g/mL; 1 = per 100 mL of tissue",
                 0.0),
      flag_key("leakage_correction", false,
               "Boxerman-Schmainda-Weisskoff correction of T1/T2* leakage (writes a K2 map)"),
      choice_key(
          "recirculation.method", recirculation_names, Recirculation::none,
          "none, or gamma_variate: every tissue curve and the AIF replaced by a gamma variate fitted\n"
          "(Levenberg-Marquardt) to its first pass; a voxel whose fit fails gets its fit status, NaN maps"),
      number_key(
          "recirculation.tail_fraction", "0.4",
          "gamma_variate: the first pass ends at the first frame after the peak below this fraction of it",
          0.0, 1.0),
      path_key("normalisation.reference_mask",
               "3-D NIfTI of a reference region, e.g. normal-appearing white matter: writes rCBF and rCBV,\n"
               "CBF and CBV over their mean in the region's voxels with a usable fit (default: none)"),
  };
}

DscSettings read_dsc_settings(RunConfig const& config) {
  DscSettings s;
  s.config_file = config.file();
  s.inputs.signal = config.text("inputs.signal").value_or("");
  if (s.inputs.signal.empty()) throw config.error("inputs.signal", "a 4-D NIfTI of the DSC signal");
  s.inputs.timing = config.text("inputs.timing").value_or("");
  if (s.inputs.timing.empty()) throw config.error("inputs.timing", "a text file with one time (s) per frame");
  s.inputs.mask = config.text("inputs.mask").value_or("");

  s.aif.source = config.choice("aif.source", dsc_aif_source_names);
  s.aif.mask = config.text("aif.mask").value_or("");
  s.aif.file = config.text("aif.file").value_or("");
  if (s.aif.source == DscAifSource::measured && s.aif.mask.empty())
    throw config.error("aif.mask", "a 3-D NIfTI of arterial voxels for aif.source: measured");
  if (s.aif.source == DscAifSource::file && s.aif.file.empty())
    throw config.error("aif.file", "a text file of the arterial dR2* (1/s) for aif.source: file");

  s.acquisition.echo_time_s = config.number("acquisition.echo_time_s");
  if (auto const baseline = config.numbers("acquisition.baseline_frames")) {
    auto const& b = *baseline;
    if (b.size() != 2 || b[0] < 0 || b[1] <= b[0] || b[1] > 1e6 || b[0] != static_cast<int>(b[0]) ||
        b[1] != static_cast<int>(b[1]))
      throw config.error("acquisition.baseline_frames",
                         "[first, end) frame numbers with 0 <= first < end, e.g. [0, 8]");
    s.acquisition.baseline = std::make_pair(static_cast<int>(b[0]), static_cast<int>(b[1]));
  }

  auto& d = s.deconvolution;
  d.method = config.choice("deconvolution.method", dsc::deconvolution_method_names);
  d.threshold = config.number("deconvolution.threshold").value_or(dsc::default_threshold(d.method));
  d.osvd_thresholds = *config.numbers("deconvolution.osvd_thresholds");
  if (d.osvd_thresholds.empty() || d.osvd_thresholds.size() > 32 ||
      std::any_of(d.osvd_thresholds.begin(), d.osvd_thresholds.end(),
                  [](double t) { return !(t > 0 && t < 1); }))
    throw config.error("deconvolution.osvd_thresholds", "1 to 32 thresholds, each in (0, 1)");
  d.oscillation_bound = *config.number("deconvolution.oscillation_bound");
  d.tikhonov_lambda = *config.number("deconvolution.tikhonov_lambda");
  d.lambda_selection = config.choice("deconvolution.tikhonov_lambda_selection", dsc::lambda_selection_names);
  if (d.method == dsc::DeconvolutionMethod::tikhonov && d.lambda_selection == dsc::LambdaSelection::fixed &&
      !(d.tikhonov_lambda > 0))
    throw config.error("deconvolution.tikhonov_lambda", "a positive lambda");

  s.kh = *config.number("quantification.kh");
  s.density_g_per_ml = *config.number("quantification.density_g_per_ml");
  if (!(s.kh > 0)) throw config.error("quantification.kh", "a positive hematocrit factor");
  if (!(s.density_g_per_ml > 0)) throw config.error("quantification.density_g_per_ml", "a positive density");
  s.leakage_correction = config.flag("leakage_correction");
  s.recirculation = config.choice("recirculation.method", recirculation_names);
  s.tail_fraction = *config.number("recirculation.tail_fraction");
  if (!(s.tail_fraction > 0.0 && s.tail_fraction < 1.0))
    throw config.error("recirculation.tail_fraction", "a fraction of the peak in (0, 1), e.g. 0.4");
  s.reference_mask = config.text("normalisation.reference_mask").value_or("");
  return s;
}

}  // namespace voxflow::pipeline::dsc_run
