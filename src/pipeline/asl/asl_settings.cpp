#include "asl_settings.hpp"

#include "bids_asl.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/input_paths.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/bids_sidecar.hpp>

#include <cctype>
#include <cmath>
#include <filesystem>

namespace voxflow::pipeline::asl_run {

namespace fs = std::filesystem;

std::vector<KeySpec> asl_keys() {
  return {
      path_key("inputs.bids",
               "BIDS raw dataset: sub-<s>[/ses-<x>]/perf/*_asl.nii.gz with its aslcontext, sidecar and\n"
               "m0scan (give this, or inputs.asl)"),
      path_key("inputs.asl",
               "4-D NIfTI of the ASL series (label, control, deltam, m0scan volumes), BIDS *_asl"),
      path_key("inputs.aslcontext",
               "BIDS aslcontext: a 'volume_type' header, then one line per volume (label | control |\n"
               "deltam | cbf | m0scan | noRF); default: <prefix>_aslcontext.tsv beside inputs.asl"),
      path_key("inputs.sidecar", "JSON sidecar of the ASL series; default: the .json beside inputs.asl"),
      path_key("inputs.m0scan",
               "NIfTI of M0 (3-D, or 4-D averaged), same units as the ASL signal; default: <prefix>_m0scan\n"
               "beside inputs.asl, else the m0scan volumes of the series, else calibration.m0_value"),
      path_key("inputs.mask", "3-D NIfTI; voxels > 0 are quantified (default: every voxel)"),
      text_key("acquisition.labeling_type", "null",
               "PCASL | CASL | PASL (default: the sidecar's ArterialSpinLabelingType)"),
      number_key("acquisition.labeling_duration_s", "null",
                 "PCASL/CASL label duration tau, s (default: the sidecar's LabelingDuration)", 0.0, 10.0),
      number_key("acquisition.bolus_duration_s", "null",
                 "PASL bolus length TI1 (QUIPSS II), s (default: the sidecar's BolusCutOffDelayTime)", 0.0,
                 10.0),
      numbers_or_path_key("acquisition.post_labeling_delay_s",
                          "post-labeling delay (PASL: inversion time), s: one number, a list with one value\n"
                          "per volume, or a text file of them (default: the sidecar's PostLabelingDelay)",
                          true),
      flag_key("acquisition.m0_tr_correction", false,
               "divide M0 by 1 - exp(-TR/T1 tissue) when the M0 scan's TR is below 5 s"),
      number_key("acquisition.m0_repetition_time_s", "null",
                 "TR of the M0 scan, s (default: its sidecar's RepetitionTimePreparation)", 0.0, 100.0),
      flag_key("acquisition.background_suppression", false,
               "background suppression was used: its efficiency multiplies the labeling efficiency"),
      number_key("acquisition.background_suppression_efficiency", "null",
                 "labeling efficiency left after background suppression (default: 0.95 per pulse of\n"
                 "the sidecar's BackgroundSuppressionNumberPulses)",
                 0.0, 1.0),
      choice_key("calibration.m0_method", m0_method_names, M0Method::voxelwise,
                 "M0 per voxel, its mean over the mask, or its mean over calibration.reference_mask"),
      number_key("calibration.m0_value", "null",
                 "one M0 for every voxel, in the ASL signal's units; wins over any M0 image (without an\n"
                 "image: the sidecar's M0Estimate)"),
      path_key("calibration.reference_mask",
               "3-D NIfTI of the M0 reference region (m0_method reference_region)"),
      number_key("calibration.t1_tissue_s", "1.33", "T1 of tissue for the M0 TR correction, s", 0.01, 10.0),
      number_key("quantification.t1_blood_s", "1.65", "T1 of arterial blood, s (3 T)", 0.01, 10.0),
      number_key("quantification.labeling_efficiency", "null",
                 "alpha (default: white paper, PCASL 0.85, CASL 0.68, PASL 0.98)", 0.0, 1.0),
      number_key("quantification.partition_coefficient", "0.9",
                 "blood-brain partition coefficient lambda, mL/g", 0.01, 2.0),
      choice_key("fit.method", asl::asl_method_names, asl::AslMethod::multi_pld,
                 "white-paper equation at the longest delay, or the Buxton model fitted over every delay"),
      numbers_key("fit.cbf_bounds", "[0, 250]", "multi_pld: CBF range, mL/100 g/min"),
      numbers_key("fit.att_bounds_s", "[0, 4]", "multi_pld: arterial transit time range, s"),
      integer_key("fit.max_iterations", "100", "Levenberg-Marquardt iterations per voxel", 1, 65535),
  };
}

namespace {

std::string optional_path(RunConfig const& config, char const* key) {
  return config.text(key).value_or("");
}

// <prefix>_<suffix> beside a BIDS-named series <prefix>_asl.nii[.gz], when that file exists; else "".
std::string bids_companion(std::string const& asl, std::string const& suffix) {
  for (char const* ending : {"_asl.nii.gz", "_asl.nii"})
    if (io::ends_with(asl, ending)) {
      std::string const candidate = asl.substr(0, asl.size() - std::string(ending).size()) + suffix;
      std::error_code ec;
      return fs::is_regular_file(candidate, ec) ? candidate : "";
    }
  return "";
}

// A parameter from the configuration, else from the sidecar; `sources` records which.
std::optional<double> config_or_sidecar(RunConfig const& config, char const* key, BidsSidecar const& sidecar,
                                        char const* field, nlohmann::json& sources) {
  // BIDS allows one value per volume; voxflow quantifies with one value for the series.
  std::optional<double> from_sidecar;
  if (auto const values = sidecar.numbers(field)) {
    for (double v : *values)
      require_input(
          v == values->front(), sidecar.source(field), field,
          "one value for every volume (voxflow quantifies a series with one " + std::string(field) + ")");
    if (!values->empty()) from_sidecar = values->front();
  }
  if (auto const v = config.number(key)) {
    sources[field] = {{"Source", "configuration"}, {"Value", *v}};
    if (from_sidecar && *from_sidecar != *v) sources[field]["SidecarValue"] = *from_sidecar;
    return v;
  }
  if (from_sidecar) sources[field] = {{"Source", sidecar.source(field)}, {"Value", *from_sidecar}};
  return from_sidecar;
}

// A bound pair [lower, upper] with lower < upper.
void read_bounds(RunConfig const& config, char const* key, double (&out)[2], char const* unit) {
  auto const b = *config.numbers(key);
  if (b.size() != 2 || !(b[0] < b[1]))
    throw config.error(key, std::string("[lower, upper] in ") + unit + " with lower < upper");
  out[0] = b[0];
  out[1] = b[1];
}

asl::Labeling read_labeling(RunConfig const& config, BidsSidecar const& sidecar, nlohmann::json& sources) {
  auto text = config.text("acquisition.labeling_type");
  std::string where = config.file();
  if (text) {
    sources["ArterialSpinLabelingType"] = {{"Source", "configuration"}, {"Value", *text}};
  } else if ((text = sidecar.text("ArterialSpinLabelingType"))) {
    where = sidecar.source("ArterialSpinLabelingType");
    sources["ArterialSpinLabelingType"] = {{"Source", where}, {"Value", *text}};
  } else {
    throw config.error("acquisition.labeling_type",
                       "PCASL, CASL or PASL (or ArterialSpinLabelingType in the JSON sidecar of inputs.asl)");
  }
  std::string upper = *text;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto const parsed = parse_enum(asl::labeling_names, upper);
  if (!parsed) {
    if (where == config.file())
      throw config.error("acquisition.labeling_type", "PCASL, CASL or PASL, found '" + *text + "'");
    throw InputError(where, "ArterialSpinLabelingType", "PCASL, CASL or PASL, found '" + *text + "'");
  }
  return *parsed;
}

}  // namespace

AslSettings read_asl_settings(RunConfig const& config) {
  AslSettings s;
  s.config_file = config.file();
  auto& in = s.inputs;
  in.asl = optional_path(config, "inputs.asl");
  if (auto const bids = config.text("inputs.bids")) {
    if (!in.asl.empty()) throw config.error("inputs", "one of inputs.bids and inputs.asl, not both");
    in.asl = find_bids_asl(*bids, config.settings());
  }
  if (in.asl.empty())
    throw config.error("inputs.asl", "the 4-D NIfTI of the ASL series (BIDS *_asl.nii.gz), or inputs.bids");
  in.aslcontext = optional_path(config, "inputs.aslcontext");
  if (in.aslcontext.empty()) in.aslcontext = bids_companion(in.asl, "_aslcontext.tsv");
  if (in.aslcontext.empty())
    throw config.error(
        "inputs.aslcontext",
        "the BIDS aslcontext.tsv of inputs.asl (one volume_type per volume); none is beside it");
  // A sidecar the configuration names is read alone; otherwise the series' metadata by BIDS inheritance.
  in.sidecar = optional_path(config, "inputs.sidecar");
  BidsSidecar const sidecar =
      in.sidecar.empty() ? BidsSidecar::for_data_file(in.asl) : BidsSidecar::read(in.sidecar);
  if (!in.sidecar.empty() && sidecar.empty())
    throw InputError(in.sidecar, "inputs.sidecar", "an existing JSON sidecar");
  in.sidecar = sidecar.path();
  in.m0scan = optional_path(config, "inputs.m0scan");
  if (in.m0scan.empty()) in.m0scan = bids_companion(in.asl, "_m0scan.nii.gz");
  if (in.m0scan.empty()) in.m0scan = bids_companion(in.asl, "_m0scan.nii");
  BidsSidecar const m0_sidecar = in.m0scan.empty() ? BidsSidecar() : BidsSidecar::for_data_file(in.m0scan);
  in.m0_sidecar = m0_sidecar.path();
  in.mask = optional_path(config, "inputs.mask");
  in.reference_mask = optional_path(config, "calibration.reference_mask");

  auto& c = s.constants;
  auto& sources = s.sources;
  c.labeling = read_labeling(config, sidecar, sources);
  if (c.labeling == asl::Labeling::pasl) {
    auto const ti1 =
        config_or_sidecar(config, "acquisition.bolus_duration_s", sidecar, "BolusCutOffDelayTime", sources);
    if (!ti1 || !(*ti1 > 0.0))
      throw config.error("acquisition.bolus_duration_s",
                         "the PASL bolus length TI1 in seconds (or BolusCutOffDelayTime in the sidecar)");
    c.bolus_duration_s = *ti1;
  } else {
    auto const tau =
        config_or_sidecar(config, "acquisition.labeling_duration_s", sidecar, "LabelingDuration", sources);
    if (!tau || !(*tau > 0.0))
      throw config.error("acquisition.labeling_duration_s",
                         "the label duration in seconds (or LabelingDuration in the sidecar)");
    c.labeling_duration_s = *tau;
  }

  // Delays: the configuration (a number, a list or a file), else the sidecar.
  char const* pld_key = "acquisition.post_labeling_delay_s";
  s.pld_field = pld_key;
  if (config.is_list(pld_key)) {
    s.pld_s = *config.numbers(pld_key);
    s.pld_source = config.file();
  } else if (auto const file = config.text(pld_key)) {
    s.pld_s = io::read_number_list(*file, pld_key);
    s.pld_source = *file;
  } else if (auto const from_sidecar = sidecar.numbers("PostLabelingDelay")) {
    s.pld_s = *from_sidecar;
    s.pld_source = sidecar.source("PostLabelingDelay");
    s.pld_field = "PostLabelingDelay";
  } else {
    throw config.error(pld_key,
                       "the post-labeling delay in seconds: a number, a list with one value per "
                       "volume, or a text file (or PostLabelingDelay in the sidecar)");
  }
  for (double pld : s.pld_s) {
    if (std::isfinite(pld) && pld >= 0.0 && pld < 30.0) continue;
    std::string const expected = "post-labeling delays in seconds, each in [0, 30)";
    // Written in the configuration itself: a configuration error (exit 3), not an input one.
    if (s.pld_source == config.file()) throw config.error(pld_key, expected);
    throw InputError(s.pld_source, s.pld_field, expected);
  }
  sources["PostLabelingDelay"] = {{"Source", s.pld_source}};

  // Calibration.
  s.m0_method = config.choice("calibration.m0_method", m0_method_names);
  s.m0_value = config.number("calibration.m0_value");
  if (sidecar.text("M0Type").value_or("") == "Estimate") s.m0_estimate = sidecar.number("M0Estimate");
  if (s.m0_method == M0Method::reference_region && in.reference_mask.empty())
    throw config.error("calibration.reference_mask",
                       "a 3-D NIfTI of the reference region for m0_method "
                       "reference_region");
  s.t1_tissue_s = *config.number("calibration.t1_tissue_s");
  s.m0_tr_correction = config.flag("acquisition.m0_tr_correction");
  BidsSidecar const& tr_sidecar = in.m0scan.empty() ? sidecar : m0_sidecar;
  s.m0_repetition_time_s = config_or_sidecar(config, "acquisition.m0_repetition_time_s", tr_sidecar,
                                             "RepetitionTimePreparation", sources);
  c.m0_scale = 1.0;
  if (s.m0_tr_correction) {
    if (!s.m0_repetition_time_s || !(*s.m0_repetition_time_s > 0.0))
      throw config.error(
          "acquisition.m0_repetition_time_s",
          "the TR of the M0 scan in seconds for m0_tr_correction (or RepetitionTimePreparation "
          "in the M0 scan's sidecar)");
    // White paper: an M0 acquired with TR >= 5 s is fully relaxed and used as it is.
    if (*s.m0_repetition_time_s < 5.0)
      c.m0_scale = 1.0 / (1.0 - std::exp(-*s.m0_repetition_time_s / s.t1_tissue_s));
  }

  s.background_suppression = config.flag("acquisition.background_suppression");
  c.background_efficiency = 1.0;
  if (s.background_suppression) {
    if (auto const e = config.number("acquisition.background_suppression_efficiency")) {
      c.background_efficiency = *e;
    } else if (auto const pulses = sidecar.number("BackgroundSuppressionNumberPulses")) {
      c.background_efficiency = std::pow(0.95, *pulses);
      sources["BackgroundSuppressionNumberPulses"] = {
          {"Source", sidecar.source("BackgroundSuppressionNumberPulses")}, {"Value", *pulses}};
    } else {
      throw config.error("acquisition.background_suppression_efficiency",
                         "the labeling efficiency left after background suppression (or "
                         "BackgroundSuppressionNumberPulses in the sidecar)");
    }
  }
  if (auto const bs = sidecar.flag("BackgroundSuppression"))
    sources["BackgroundSuppression"] = {
        {"Source", "configuration"}, {"Value", s.background_suppression}, {"SidecarValue", *bs}};

  c.t1_blood_s = *config.number("quantification.t1_blood_s");
  c.labeling_efficiency = config.number("quantification.labeling_efficiency")
                              .value_or(asl::default_labeling_efficiency(c.labeling));
  c.partition_coefficient = *config.number("quantification.partition_coefficient");

  s.method = config.choice("fit.method", asl::asl_method_names);
  read_bounds(config, "fit.cbf_bounds", s.cbf_bounds, "mL/100 g/min");
  read_bounds(config, "fit.att_bounds_s", s.att_bounds_s, "seconds");
  if (s.att_bounds_s[0] < 0.0) throw config.error("fit.att_bounds_s", "a lower bound >= 0 s");
  s.lm.max_iterations = static_cast<int>(*config.integer("fit.max_iterations"));
  return s;
}

}  // namespace voxflow::pipeline::asl_run
