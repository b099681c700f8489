#include <voxflow/core/errors.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/bids_input.hpp>
#include <voxflow/pipeline/config_reader.hpp>
#include <voxflow/pipeline/config_schema.hpp>
#include <voxflow/pipeline/dce_config.hpp>

#include <cctype>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace voxflow::pipeline {

namespace {

std::string strip_prefix(std::string value, std::string const& prefix) {
  if (value.rfind(prefix, 0) == 0) value.erase(0, prefix.size());
  return value;
}

// A number as text that reads back to the same double.
std::string exact_text(double v) {
  std::ostringstream out;
  out << std::setprecision(17) << v;
  return out.str();
}

bool is_bids_label(std::string const& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

std::string config_modality(std::string const& path) {
  auto const reader = ConfigReader::from_file(path);
  auto const modality = reader.text("modality");
  if (!modality) throw ConfigError(path, "modality", "the modality of the run, e.g. 'modality: dce'");
  defaults_yaml(*modality);  // throws for an unknown modality
  return *modality;
}

DceRunConfig load_dce_config(std::string const& path, Overrides const& overrides) {
  auto reader = ConfigReader::from_file(path);
  ConfigReader const schema(defaults_yaml("dce"), "<dce defaults>");
  reader.check_keys_against(schema);
  if (reader.text("modality").value_or("") != "dce")
    throw ConfigError(path, "modality", "'dce' for a DCE run configuration");
  if (overrides.backend) reader.set("backend", *overrides.backend);
  if (overrides.output_dir) reader.set("output.dir", *overrides.output_dir);
  if (overrides.threads) reader.set("threads", std::to_string(*overrides.threads));
  if (overrides.overwrite) reader.set("output.overwrite", "true");
  reader.merge_defaults(schema);

  DceRunConfig c;
  c.config_file = path;
  c.subject = strip_prefix(reader.text("subject").value_or("01"), "sub-");
  c.session = strip_prefix(reader.text("session").value_or(""), "ses-");
  if (!is_bids_label(c.subject))
    throw ConfigError(path, "subject", "a BIDS label of letters and digits, e.g. sub-01");
  if (!c.session.empty() && !is_bids_label(c.session))
    throw ConfigError(path, "session", "a BIDS label of letters and digits, e.g. ses-01");

  auto& in = c.inputs;
  in.concentration = reader.path("inputs.concentration").value_or("");
  in.signal = reader.path("inputs.signal").value_or("");
  in.t1_map = reader.path("inputs.t1_map").value_or("");
  in.b1_map = reader.path("inputs.b1_map").value_or("");
  in.timing = reader.path("inputs.timing").value_or("");
  in.mask = reader.path("inputs.mask").value_or("");
  if (auto vfa = reader.texts("inputs.vfa")) {
    for (auto const& file : *vfa) {
      std::filesystem::path const p(file);
      in.vfa.push_back(p.is_absolute()
                           ? file
                           : (std::filesystem::path(reader.base_dir()) / p).lexically_normal().string());
    }
  }
  if (auto bids = reader.path("inputs.bids")) {
    // The dataset supplies the signal series, its acquisition parameters and frame times, and a T1 map when
    // it has one; keys given in the configuration win.
    auto const found = find_bids_dce(*bids, c.subject, c.session);
    if (in.signal.empty() && in.concentration.empty()) in.signal = found.dce;
    if (in.t1_map.empty() && in.vfa.empty()) in.t1_map = found.t1_map;
    in.frame_times_s = found.frame_times_s;
    if (!reader.has("acquisition.flip_angle_deg") && found.flip_angle_deg)
      reader.set("acquisition.flip_angle_deg", exact_text(*found.flip_angle_deg));
    if (!reader.has("acquisition.repetition_time_s") && found.repetition_time_s)
      reader.set("acquisition.repetition_time_s", exact_text(*found.repetition_time_s));
  }
  if (in.concentration.empty() == in.signal.empty())
    throw ConfigError(path, "inputs", "exactly one of inputs.concentration and inputs.signal");
  // inputs.timing and the signal's flip angle and TR may come from a DICOM series instead: checked with the
  // inputs.

  auto& acq = c.acquisition;
  acq.flip_angle_deg = reader.number("acquisition.flip_angle_deg");
  acq.repetition_time_s = reader.number("acquisition.repetition_time_s");
  acq.t1_assumed_s = reader.number("acquisition.t1_assumed_s");
  acq.vfa_repetition_time_s = reader.number("acquisition.vfa_repetition_time_s");
  acq.relaxivity = reader.number("acquisition.relaxivity").value_or(4.5);
  auto const baseline = reader.numbers("acquisition.baseline_frames").value_or(std::vector<double>{0, 5});
  if (baseline.size() != 2 || baseline[0] < 0 || baseline[1] <= baseline[0])
    throw ConfigError(path, "acquisition.baseline_frames", "[first, end) with 0 <= first < end, e.g. [0, 5]");
  acq.baseline_begin = static_cast<int>(baseline[0]);
  acq.baseline_end = static_cast<int>(baseline[1]);
  // The VFA flip angles: a list in the configuration, or a plain text file of angles (one per volume).
  if (reader.has("acquisition.vfa_flip_angles_deg") && !reader.is_list("acquisition.vfa_flip_angles_deg"))
    acq.vfa_flip_angles_deg = io::read_number_list(*reader.path("acquisition.vfa_flip_angles_deg"),
                                                   "acquisition.vfa_flip_angles_deg");
  else
    acq.vfa_flip_angles_deg =
        reader.numbers("acquisition.vfa_flip_angles_deg").value_or(std::vector<double>{});
  if (!in.signal.empty()) {
    if (in.t1_map.empty() && in.vfa.empty() && !acq.t1_assumed_s)
      throw ConfigError(path, "inputs",
                        "a T1 source for the signal input: inputs.t1_map, inputs.vfa or "
                        "acquisition.t1_assumed_s");
    if (!in.vfa.empty() && (acq.vfa_flip_angles_deg.empty() || !acq.vfa_repetition_time_s))
      throw ConfigError(path, "acquisition", "vfa_flip_angles_deg and vfa_repetition_time_s for inputs.vfa");
  }
  c.t1_method = reader.text("t1_mapping.method").value_or("nonlinear");
  if (c.t1_method != "nonlinear" && c.t1_method != "linear" && c.t1_method != "two_point")
    throw ConfigError(path, "t1_mapping.method", "nonlinear, linear or two_point");

  auto const source = reader.text("aif.source").value_or("population");
  if (source == "population")
    c.aif.source = AifSource::population;
  else if (source == "measured")
    c.aif.source = AifSource::measured;
  else if (source == "detect")
    c.aif.source = AifSource::detect;
  else
    throw ConfigError(path, "aif.source", "population, measured or detect, found '" + source + "'");
  c.aif.model = reader.text("aif.model").value_or("parker");
  c.aif.delay_s = reader.number("aif.delay_s").value_or(0.0);
  c.aif.hematocrit = reader.number("aif.hematocrit").value_or(0.42);
  if (!(c.aif.hematocrit >= 0.0 && c.aif.hematocrit < 1.0))
    throw ConfigError(path, "aif.hematocrit", "a fraction in [0, 1)");
  c.aif.mask = reader.path("aif.mask").value_or("");
  if (c.aif.source == AifSource::measured && c.aif.mask.empty())
    throw ConfigError(path, "aif.mask", "a 3-D NIfTI of arterial voxels for aif.source: measured");

  auto const model = reader.text("fit.model").value_or("extended_tofts");
  if (!dce::parse_dce_model(model, c.fit.model))
    throw ConfigError(path, "fit.model", enum_choices(dce::dce_model_names) + ", found '" + model + "'");
  c.fit.fit_delay = reader.flag("fit.fit_delay").value_or(false);
  auto const bounds = reader.numbers("fit.delay_bounds_s").value_or(std::vector<double>{-10, 20});
  if (bounds.size() != 2 || !(bounds[0] < bounds[1]))
    throw ConfigError(path, "fit.delay_bounds_s", "[lower, upper] in seconds with lower < upper");
  c.fit.delay.lower_s = bounds[0];
  c.fit.delay.upper_s = bounds[1];
  auto const convolution = reader.text("fit.convolution").value_or("exact");
  if (convolution == "exact")
    c.fit.convolution = dce::ToftsConvolution::exact;
  else if (convolution == "osipy_compatible")
    c.fit.convolution = dce::ToftsConvolution::osipy_compatible;
  else
    throw ConfigError(path, "fit.convolution", "exact or osipy_compatible");
  c.fit.lm.max_iterations = static_cast<int>(reader.integer("fit.max_iterations").value_or(100));
  if (c.fit.lm.max_iterations < 1) throw ConfigError(path, "fit.max_iterations", "a positive whole number");

  auto const backend = reader.text("backend").value_or("auto");
  if (!parse_backend(backend, c.backend)) throw ConfigError(path, "backend", enum_choices(backend_names));
  c.threads = static_cast<int>(reader.integer("threads").value_or(0));
  if (c.threads < 0) throw ConfigError(path, "threads", "0 (automatic) or a positive thread count");

  c.output.dir = reader.path("output.dir").value_or("out");
  c.output.compress = reader.flag("output.compress").value_or(true);
  c.output.hdf5 = reader.flag("output.hdf5").value_or(true);
  c.output.qc = reader.flag("output.qc").value_or(true);
  c.output.overwrite = reader.flag("output.overwrite").value_or(false);

  // The resolved copy: absolute paths, so that it reruns from anywhere.
  for (char const* key : {"inputs.concentration", "inputs.signal", "inputs.t1_map", "inputs.b1_map",
                          "inputs.timing", "inputs.mask", "aif.mask", "output.dir"})
    if (auto p = reader.path(key)) reader.set(key, *p);
  c.resolved_yaml = reader.emit();
  return c;
}

}  // namespace voxflow::pipeline
