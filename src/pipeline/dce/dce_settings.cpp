#include "dce_settings.hpp"

#include "bids_dce.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/timing_file.hpp>

#include <algorithm>
#include <cctype>

namespace voxflow::pipeline::dce_run {

std::vector<KeySpec> dce_keys() {
  return {
      path_key("inputs.bids",
               "BIDS-like raw dataset: sub-<s>[/ses-<x>]/perf/*_dce.nii.gz (+ JSON sidecar, anat/*_T1map)"),
      path_key("inputs.concentration", "4-D NIfTI of concentration, mM (give this, or signal)"),
      path_key("inputs.signal",
               "4-D NIfTI (or DICOM folder) of SPGR signal, converted with a T1 map, a VFA series\n"
               "or an assumed T1"),
      path_key("inputs.t1_map", "3-D NIfTI of pre-contrast T1, s"),
      paths_key("inputs.vfa", "variable-flip-angle series: one 4-D NIfTI, or a list of 3-D NIfTI files"),
      path_key("inputs.b1_map", "3-D NIfTI of relative flip angle (1 = nominal) for the VFA T1 fit"),
      path_key("inputs.timing", "text file with one frame time per line (or whitespace-separated), seconds"),
      path_key("inputs.mask", "3-D NIfTI; voxels > 0 are fitted (default: every voxel)"),
      text_key(
          "inputs.series", "null",
          "a DICOM folder holding several series: the SeriesInstanceUID or SeriesNumber of the dynamic one"),
      choice_key("inputs.series_precision", series_precision_names, SeriesPrecision::automatic,
                 "the dynamic NIfTI series in memory: auto = float32 where no value changes (float32 or\n"
                 "16-bit data, unscaled), float32 = half the memory (float64 data rounded), float64"),
      number_key("acquisition.flip_angle_deg", "null", "flip angle of the dynamic series"),
      number_key("acquisition.repetition_time_s", "null", "TR of the dynamic series, s"),
      number_key("acquisition.relaxivity", "4.5", "r1, 1/(mM s)"),
      numbers_key("acquisition.baseline_frames", "[0, 5]", "pre-contrast frames [first, end) used for S0"),
      number_key("acquisition.t1_assumed_s", "null",
                 "T1 used for every voxel when there is no T1 map or VFA series"),
      numbers_or_path_key("acquisition.vfa_flip_angles_deg",
                          "flip angles of the VFA series, degrees: a list, or a text file of angles"),
      number_key("acquisition.vfa_repetition_time_s", "null", "TR of the VFA series, s"),
      choice_key("t1_mapping.method", t1::t1_method_names, t1::T1Method::nonlinear),
      choice_key("aif.source", aif_source_names, AifSource::population),
      choice_key("aif.model", aif::population_aif_names, aif::PopulationAif::parker),
      number_key("aif.delay_s", "0.0", "bolus arrival of a population AIF after the first frame, s"),
      number_key("aif.hematocrit", "0.42",
                 "population and measured AIFs are whole blood: plasma = blood / (1 - hematocrit)"),
      path_key("aif.mask", "source measured: 3-D NIfTI of arterial voxels"),
      choice_key("fit.model", dce::dce_model_names, dce::DceModel::extended_tofts),
      flag_key("fit.fit_delay", false, "fit an arterial delay per voxel"),
      numbers_key("fit.delay_bounds_s", "[-10.0, 20.0]", "range of the fitted delay, s"),
      choice_key("fit.convolution", dce::tofts_convolution_names, dce::ToftsConvolution::exact,
                 "Tofts models; osipy's rectangle rule, for comparisons"),
      // Iteration counts are stored per voxel as 16-bit numbers.
      integer_key("fit.max_iterations", "100", "Levenberg-Marquardt iterations per voxel", 1, 65535),
  };
}

namespace {

std::string optional_path(RunConfig const& config, char const* key) {
  return config.text(key).value_or("");
}

}  // namespace

DceSettings read_dce_settings(RunConfig const& config) {
  std::string const& path = config.file();
  DceSettings c;
  c.config_file = path;

  auto& in = c.inputs;
  in.concentration = optional_path(config, "inputs.concentration");
  in.signal = optional_path(config, "inputs.signal");
  in.t1_map = optional_path(config, "inputs.t1_map");
  in.b1_map = optional_path(config, "inputs.b1_map");
  in.timing = optional_path(config, "inputs.timing");
  in.mask = optional_path(config, "inputs.mask");
  in.vfa = config.paths("inputs.vfa").value_or(std::vector<std::string>{});
  in.series_precision = config.choice("inputs.series_precision", series_precision_names);

  auto& acq = c.acquisition;
  acq.flip_angle_deg = config.number("acquisition.flip_angle_deg");
  acq.repetition_time_s = config.number("acquisition.repetition_time_s");
  if (auto const bids = config.text("inputs.bids")) {
    // The dataset supplies the signal series, its acquisition parameters and frame times, and a T1 map when
    // it has one; keys given in the configuration win.
    auto const found = find_bids_dce(*bids, config.settings());
    if (in.signal.empty() && in.concentration.empty()) in.signal = found.dce;
    if (in.t1_map.empty() && in.vfa.empty()) in.t1_map = found.t1_map;
    in.frame_times_s = found.frame_times_s;
    if (!acq.flip_angle_deg) acq.flip_angle_deg = found.flip_angle_deg;
    if (!acq.repetition_time_s) acq.repetition_time_s = found.repetition_time_s;
    if (!acq.repetition_time_s && in.signal == found.dce && !found.sidecar.empty())
      throw InputError(
          found.sidecar, "RepetitionTimeExcitation",
          "the TR of the SPGR excitations in seconds, which the signal conversion needs (BIDS "
          "RepetitionTime is the time between volumes, not this TR), or acquisition.repetition_time_s "
          "in " +
              path);
  }
  if (in.concentration.empty() == in.signal.empty())
    throw config.error("inputs", "exactly one of inputs.concentration and inputs.signal");
  // inputs.timing and the signal's flip angle and TR may come from a DICOM series instead: checked with the
  // inputs.
  in.series.selector = "'inputs.series: <SeriesInstanceUID or SeriesNumber>' in " + path;
  if (auto const series = config.text("inputs.series")) {
    if (!std::all_of(series->begin(), series->end(), [](unsigned char ch) { return std::isdigit(ch); }))
      in.series.series_uid = *series;
    else if (series->size() < 10)
      in.series.series_number = std::stoi(*series);
    else
      throw config.error("inputs.series", "a SeriesInstanceUID (digits and dots) or a SeriesNumber, found '" +
                                              series->substr(0, 20) + "'");
  }

  acq.t1_assumed_s = config.number("acquisition.t1_assumed_s");
  acq.vfa_repetition_time_s = config.number("acquisition.vfa_repetition_time_s");
  acq.relaxivity = *config.number("acquisition.relaxivity");
  auto const baseline = *config.numbers("acquisition.baseline_frames");
  if (baseline.size() != 2 || baseline[0] < 0 || baseline[1] <= baseline[0] || baseline[1] > 1e6 ||
      baseline[0] != static_cast<int>(baseline[0]) || baseline[1] != static_cast<int>(baseline[1]))
    throw config.error("acquisition.baseline_frames",
                       "[first, end) frame numbers with 0 <= first < end, e.g. [0, 5]");
  acq.baseline_begin = static_cast<int>(baseline[0]);
  acq.baseline_end = static_cast<int>(baseline[1]);
  // The VFA flip angles: a list in the configuration, or a plain text file of angles (one per volume).
  if (config.is_list("acquisition.vfa_flip_angles_deg"))
    acq.vfa_flip_angles_deg = *config.numbers("acquisition.vfa_flip_angles_deg");
  else if (auto const file = config.text("acquisition.vfa_flip_angles_deg"))
    acq.vfa_flip_angles_deg = io::read_number_list(*file, "acquisition.vfa_flip_angles_deg");
  if (c.signal_input()) {
    if (in.t1_map.empty() && in.vfa.empty() && !acq.t1_assumed_s)
      throw config.error(
          "inputs",
          "a T1 source for the signal input: inputs.t1_map, inputs.vfa or acquisition.t1_assumed_s");
    if (!in.vfa.empty() && (acq.vfa_flip_angles_deg.empty() || !acq.vfa_repetition_time_s))
      throw config.error("acquisition", "vfa_flip_angles_deg and vfa_repetition_time_s for inputs.vfa");
  }
  c.t1_method = config.choice("t1_mapping.method", t1::t1_method_names);

  c.aif.source = config.choice("aif.source", aif_source_names);
  c.aif.model = config.choice("aif.model", aif::population_aif_names);
  c.aif.delay_s = *config.number("aif.delay_s");
  c.aif.hematocrit = *config.number("aif.hematocrit");
  if (!(c.aif.hematocrit >= 0.0 && c.aif.hematocrit < 1.0))
    throw config.error("aif.hematocrit", "a fraction in [0, 1)");
  c.aif.mask = optional_path(config, "aif.mask");
  if (c.aif.source == AifSource::measured && c.aif.mask.empty())
    throw config.error("aif.mask", "a 3-D NIfTI of arterial voxels for aif.source: measured");

  c.fit.model = config.choice("fit.model", dce::dce_model_names);
  c.fit.fit_delay = config.flag("fit.fit_delay");
  auto const bounds = *config.numbers("fit.delay_bounds_s");
  if (bounds.size() != 2 || !(bounds[0] < bounds[1]))
    throw config.error("fit.delay_bounds_s", "[lower, upper] in seconds with lower < upper");
  c.fit.delay.lower_s = bounds[0];
  c.fit.delay.upper_s = bounds[1];
  c.fit.convolution = config.choice("fit.convolution", dce::tofts_convolution_names);
  if (c.fit.convolution == dce::ToftsConvolution::osipy_compatible && c.fit.fit_delay)
    throw config.error("fit.convolution", "'exact' when the arterial delay is fitted (fit.fit_delay: true)");
  c.fit.lm.max_iterations = static_cast<int>(*config.integer("fit.max_iterations"));
  return c;
}

}  // namespace voxflow::pipeline::dce_run
