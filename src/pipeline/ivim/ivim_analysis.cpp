#include "ivim_analysis.hpp"

#include "ivim_stages.hpp"

#include <voxflow/io/qc_plot.hpp>
#include <voxflow/pipeline/progress.hpp>

#include <cmath>
#include <sstream>

namespace voxflow::pipeline::ivim_run {

namespace {

constexpr char const* diffusion_units = "mm^2/s";

}  // namespace

IvimAnalysis::IvimAnalysis(IvimSettings settings, std::string subject)
    : settings_(std::move(settings)), subject_(std::move(subject)) {}

std::string IvimAnalysis::method_label() const {
  return method_name();  // segmented, full, bayesian: already BIDS labels
}

std::string IvimAnalysis::method_name() const {
  return ivim::ivim_method_name(settings_.fit.method);
}

std::vector<MapSpec> IvimAnalysis::map_specs() const {
  std::string const label = method_label();
  // Column order: ivim::IvimColumn, what fit_ivim writes.
  std::vector<MapSpec> specs = {
      {"S0", label, "a.u.", "fitted signal at b = 0 (units of the diffusion series)"},
      {"D", label, diffusion_units, "tissue diffusion coefficient D"},
      {"Dstar", label, diffusion_units, "pseudo-diffusion coefficient D* of the perfusion compartment"},
      {"f", label, "", "perfusion fraction f"},
      {"rsquared", label, "", "coefficient of determination R^2 of the fit (signal normalised by b = 0)"},
  };
  if (settings_.fit.method == ivim::IvimMethod::bayesian) {
    specs.push_back({"Dsd", label, diffusion_units, "posterior standard deviation of D"});
    specs.push_back({"Dstarsd", label, diffusion_units, "posterior standard deviation of D*"});
    specs.push_back({"fsd", label, "", "posterior standard deviation of f"});
    specs.push_back({"noisesd", label, "", "noise standard deviation used, relative to the b = 0 signal"});
  }
  return specs;
}

nlohmann::json IvimAnalysis::provenance() const {
  auto const& fit = settings_.fit;
  std::string method;
  switch (fit.method) {
    case ivim::IvimMethod::segmented:
      method =
          "segmented: D and tissue S0 from b >= b_threshold by weighted log-linear least squares, then "
          "S0, f and D* with D fixed by bounded Levenberg-Marquardt from a D* grid";
      break;
    case ivim::IvimMethod::full:
      method = "full: bounded Levenberg-Marquardt of S0, D, D*, f from the segmented estimate";
      break;
    case ivim::IvimMethod::bayesian:
      method =
          "bayesian: maximum a posteriori with Gaussian noise and a weakly informative prior, from the "
          "full fit; posterior SD from the Laplace covariance sigma^2 (J^T J)^-1";
      break;
  }
  nlohmann::json bounds;
  char const* names[] = {"S0", "D", "Dstar", "f"};
  for (int k = 0; k < ivim::ivim_parameter_count; ++k)
    bounds[names[k]] = {fit.bounds.lower[k], fit.bounds.upper[k]};
  nlohmann::json doc = {{"Model", "IVIM bi-exponential S0 (f exp(-b D*) + (1 - f) exp(-b D))"},
                        {"Method", method},
                        {"Sources", nlohmann::json::array({settings_.inputs.dwi})},
                        {"BValues", shells_.b},
                        {"BThreshold", fit.b_threshold},
                        {"Bounds", bounds},
                        {"SignalNormalisation", "divided by the b = 0 signal of each voxel"}};
  if (!settings_.inputs.bvals.empty()) doc["BValueFile"] = settings_.inputs.bvals;
  if (fit.method == ivim::IvimMethod::bayesian) {
    doc["Noise"] = enum_name(ivim::ivim_noise_names, fit.noise);
    if (std::isfinite(noise_sd_)) doc["NoiseSD"] = noise_sd_;
    doc["PriorScale"] = fit.prior_scale;
  }
  return doc;
}

InputGrid IvimAnalysis::check_inputs() {
  return check_ivim_inputs(settings_, shells_, dwi_);
}

VoxelSelection IvimAnalysis::read() {
  data_ = read_ivim_data(settings_, shells_, dwi_);
  return data_.voxels;
}

SubjectMaps IvimAnalysis::compute(ComputeContext const& context) {
  auto const n = static_cast<std::int64_t>(data_.voxels.size());
  // Every column and every status is written by the fit: no need to zero them first.
  SubjectMaps maps = SubjectMaps::uninitialized(map_specs(), n, "voxflow::pipeline::ivim");
  std::size_t const columns = maps.specs.size();
  dispatch(context.backend, [&](auto space) {
    VoxelRange const range = context.fit_range(n);
    Progress progress("sub-" + subject_ + " fit", range.size(), context.quiet);
    noise_sd_ = fit_subject(space, settings_, data_, range, context.chunk_voxels, context.split,
                            {map_columns(maps.values, 0, columns), maps.status}, &progress);
    context.timer->stage("fit");
  });
  return maps;
}

std::vector<TextOutput> IvimAnalysis::extra_outputs() const {
  std::ostringstream table;
  table.precision(10);
  table << "b_s_per_mm2\tvolumes\n";
  for (std::size_t k = 0; k < shells_.b.size(); ++k)
    table << shells_.b[k] << "\t" << shells_.volumes_of_shell[k] << "\n";
  return {{"shells", ".tsv", table.str()}};
}

std::vector<RecordVector> IvimAnalysis::record_vectors() const {
  return {{"/ivim/b_values", "s/mm^2", shells_.b}};
}

std::vector<std::pair<std::string, std::string>> IvimAnalysis::record_attributes() const {
  std::vector<std::pair<std::string, std::string>> attributes = {{"model", "ivim"},
                                                                 {"method", method_name()}};
  if (std::isfinite(noise_sd_)) attributes.emplace_back("noise_sd", io::format_number(noise_sd_));
  return attributes;
}

std::vector<QcPanel> IvimAnalysis::qc_panels(SubjectMaps const& maps,
                                             std::vector<std::int64_t> const& rows) const {
  QcPanel fits{"fits over data (signal / b = 0 signal)", "b [s/mm^2]", "S / S(b=0)", {}};
  std::vector<double> const& b = shells_.b;
  int const b0 = static_cast<int>(std::find(b.begin(), b.end(), 0.0) - b.begin());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::int64_t const v = rows[i];
    double const s_b0 = data_.series(v, b0);
    double const p[ivim::ivim_parameter_count] = {
        maps.values(v, ivim::column_s0) / s_b0, maps.values(v, ivim::column_d),
        maps.values(v, ivim::column_dstar), maps.values(v, ivim::column_f)};
    std::vector<double> measured(b.size()), model(b.size());
    for (std::size_t j = 0; j < b.size(); ++j) {
      double grad[ivim::ivim_parameter_count];
      measured[j] = data_.series(v, j) / s_b0;
      model[j] = ivim::ivim_signal(b[j], p, grad);
    }
    int const color = static_cast<int>(i % 3);
    fits.curves.push_back({b, measured, true, "", color});
    fits.curves.push_back({b, model, false, "f=" + io::format_number(p[ivim::f]), color});
  }
  return {fits};
}

}  // namespace voxflow::pipeline::ivim_run
