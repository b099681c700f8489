#include "ivim_settings.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/input_paths.hpp>
#include <voxflow/pipeline/bids_subject.hpp>
#include <voxflow/pipeline/simulation_options.hpp>

#include <filesystem>

namespace voxflow::pipeline::ivim_run {

namespace fs = std::filesystem;

namespace {

// [lower, upper] of one parameter, written the way the key is declared.
struct BoundKey {
  char const* key;
  int parameter;
  char const* comment;
};
constexpr BoundKey bound_keys[] = {
    {"fit.bounds.S0", ivim::s0, "S0 relative to the b = 0 signal, [lower, upper]"},
    {"fit.bounds.D", ivim::d, "tissue diffusion D, mm^2/s, [lower, upper]"},
    {"fit.bounds.Dstar", ivim::dstar, "pseudo-diffusion D*, mm^2/s, [lower, upper]"},
    {"fit.bounds.f", ivim::f, "perfusion fraction f, [lower, upper]"},
};

// The subject's dwi series of a BIDS-like dataset: sub-<s>[/ses-<x>]/dwi/<prefix>*_dwi.nii[.gz] with its
// .bval and (when present) .bvec beside it.
void find_bids_dwi(std::string const& root, RunSettings const& settings, IvimSettings::Inputs& in) {
  std::string const series = find_bids_series(root, settings, "dwi", "dwi");
  std::string stem = series;
  stem.resize(stem.size() - (io::ends_with(stem, ".nii.gz") ? 7 : 4));
  if (in.dwi.empty()) in.dwi = series;
  if (in.bvals.empty()) in.bvals = stem + ".bval";
  std::error_code ec;
  if (in.bvecs.empty() && fs::exists(stem + ".bvec", ec)) in.bvecs = stem + ".bvec";
}

}  // namespace

std::vector<KeySpec> ivim_keys() {
  // The defaults are the kernels' own (ivim::IvimFitOptions), written once there.
  ivim::IvimFitOptions const defaults;
  auto range = [&](int parameter) {
    return "[" + simulation_text(defaults.bounds.lower[parameter]) + ", " +
           simulation_text(defaults.bounds.upper[parameter]) + "]";
  };
  std::vector<KeySpec> keys = {
      path_key("inputs.bids",
               "BIDS-like raw dataset: sub-<s>[/ses-<x>]/dwi/*_dwi.nii.gz with its .bval (and .bvec)"),
      path_key("inputs.dwi",
               "4-D NIfTI, one volume per b-value (repeated b-values and directions allowed), or a DICOM\n"
               "folder whose files carry their b-values"),
      path_key("inputs.bvals",
               "FSL/BIDS .bval text file: the b-values of the volumes, s/mm^2, whitespace-separated"),
      path_key("inputs.bvecs",
               "FSL/BIDS .bvec text file (3 rows, one column per volume): checked; the volumes of a b-value\n"
               "are averaged over its directions (the trace)"),
      path_key("inputs.mask", "3-D NIfTI; voxels > 0 are fitted (default: every voxel)"),
      choice_key("fit.method", ivim::ivim_method_names, ivim::IvimMethod::segmented,
                 "segmented: D from b >= b_threshold,\nthen S0, f, D* with D fixed; full: all four by LM; "
                 "bayesian: MAP with posterior SDs"),
      number_key("fit.b_threshold", simulation_text(defaults.b_threshold),
                 "b-values >= this give D in the segmented step, s/mm^2", 0.0),
      integer_key("fit.max_iterations", std::to_string(defaults.lm.max_iterations),
                  "Levenberg-Marquardt iterations per voxel and step", 1, 65535),
  };
  for (auto const& b : bound_keys) keys.push_back(numbers_key(b.key, range(b.parameter), b.comment));
  keys.push_back(
      choice_key("fit.bayesian.noise", ivim::ivim_noise_names, ivim::IvimNoise::global,
                 "global: the median residual SD of every voxel's full fit;\nvoxel: each voxel's own"));
  keys.push_back(number_key("fit.bayesian.prior_scale", simulation_text(defaults.prior_scale),
                            "multiplies the SDs of the weakly informative prior (larger: weaker prior)",
                            1e-6));
  return keys;
}

IvimSettings read_ivim_settings(RunConfig const& config) {
  IvimSettings c;
  c.config_file = config.file();
  auto& in = c.inputs;
  in.dwi = config.text("inputs.dwi").value_or("");
  in.bvals = config.text("inputs.bvals").value_or("");
  in.bvecs = config.text("inputs.bvecs").value_or("");
  in.mask = config.text("inputs.mask").value_or("");
  if (auto const bids = config.text("inputs.bids")) find_bids_dwi(*bids, config.settings(), in);
  if (in.dwi.empty()) throw config.error("inputs.dwi", "the diffusion series (or inputs.bids)");

  auto& fit = c.fit;
  fit.method = config.choice("fit.method", ivim::ivim_method_names);
  fit.b_threshold = *config.number("fit.b_threshold");
  for (auto const& b : bound_keys) {
    auto const range = *config.numbers(b.key);
    if (range.size() != 2 || !(range[0] < range[1]) || range[0] < 0.0)
      throw config.error(b.key, "[lower, upper] with 0 <= lower < upper");
    fit.bounds.lower[b.parameter] = range[0];
    fit.bounds.upper[b.parameter] = range[1];
  }
  if (fit.bounds.upper[ivim::f] > 1.0) throw config.error("fit.bounds.f", "a range inside [0, 1]");
  if (!(fit.bounds.lower[ivim::s0] < 1.0 && fit.bounds.upper[ivim::s0] > 1.0))
    throw config.error("fit.bounds.S0", "a range around 1 (S0 is relative to the b = 0 signal)");
  fit.lm.max_iterations = static_cast<int>(*config.integer("fit.max_iterations"));
  fit.noise = config.choice("fit.bayesian.noise", ivim::ivim_noise_names);
  fit.prior_scale = *config.number("fit.bayesian.prior_scale");
  return c;
}

}  // namespace voxflow::pipeline::ivim_run
