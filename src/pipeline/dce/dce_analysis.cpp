#include "dce_analysis.hpp"

#include "dce_inputs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/core/fit_status.hpp>
#include <voxflow/dce/predict_dce.hpp>
#include <voxflow/io/qc_plot.hpp>
#include <voxflow/pipeline/progress.hpp>

#include <algorithm>
#include <sstream>

namespace voxflow::pipeline::dce_run {

namespace {

// The QC palette index of the AIF curve (red); fitted voxels cycle through the first three colours.
constexpr int aif_color = 3;

// An AIF that is zero at every frame (e.g. a population AIF delayed past the last frame) would give every
// voxel a meaningless fit: the subject fails instead, naming where the AIF came from.
void require_nonzero_aif(DceSettings const& s, DceAif const& aif, std::vector<double> const& times) {
  if (std::any_of(aif.plasma.begin(), aif.plasma.end(), [](double c) { return c != 0.0; })) return;
  std::ostringstream what;
  what << "an AIF that is not zero over the whole acquisition (0 to " << times.back() - times.front()
       << " s)";
  if (s.aif.source == AifSource::population)
    what << "; the population AIF with aif.delay_s = " << s.aif.delay_s << " s arrives after the last frame";
  std::string const source = s.aif.source == AifSource::measured ? s.aif.mask : s.config_file;
  throw InputError(source, s.aif.source == AifSource::measured ? "aif.mask" : "aif", what.str());
}

}  // namespace

DceAnalysis::DceAnalysis(DceSettings settings, std::string subject)
    : settings_(std::move(settings)), subject_(std::move(subject)) {}

std::string DceAnalysis::method_label() const {
  std::string name = method_name();
  name.erase(std::remove(name.begin(), name.end(), '_'), name.end());  // BIDS labels are alphanumeric
  return name;
}

std::string DceAnalysis::method_name() const {
  return dce::dce_model_name(settings_.fit.model);
}

std::vector<MapSpec> DceAnalysis::map_specs() const {
  std::string const label = method_label();
  std::vector<MapSpec> specs;
  // Column order: the fitted parameters and R² (what the fit stage writes), the derived maps, then T1.
  for (auto const& p : dce::dce_parameter_info(settings_.fit.model, settings_.fit.fit_delay))
    specs.push_back({p.name, label, p.units, p.description});
  specs.push_back({"rsquared", label, "", "coefficient of determination R^2 of the fit"});
  for (auto const& d : dce::dce_derived_info(settings_.fit.model))
    specs.push_back({d.name, label, d.units, d.description});
  if (maps_t1()) {
    // BIDS names these in anat/ (quantitative maps T1map and M0map, a discrete segmentation).
    specs.push_back({"T1map", label, "s",
                     std::string("pre-contrast T1 from the variable-flip-angle series (") +
                         t1::t1_method_name(settings_.t1_method) + ")",
                     false, "anat"});
    specs.push_back({"M0map", label, "", "equilibrium signal of the variable-flip-angle fit", false, "anat"});
    specs.push_back({"dseg", label + "t1fitstatus", "",
                     "T1 fit status code per voxel (see StatusCodes and the .tsv)", true, "anat"});
  }
  return specs;
}

nlohmann::json DceAnalysis::provenance() const {
  bool const osipy = settings_.fit.convolution == dce::ToftsConvolution::osipy_compatible;
  return {{"Model", method_name()},
          {"Method", std::string("bounded Levenberg-Marquardt, ") +
                         (osipy ? "osipy-compatible rectangle-rule convolution"
                                : "exact piecewise-linear convolution")},
          {"Sources", nlohmann::json::array({settings_.dynamic_input()})},
          {"AIF", aif_.info}};
}

InputGrid DceAnalysis::check_inputs() {
  return check_dce_inputs(settings_, dynamic_);
}

VoxelSelection DceAnalysis::read() {
  data_ = read_dce_data(settings_, dynamic_);
  return data_.voxels;
}

SubjectMaps DceAnalysis::compute(ComputeContext const& context) {
  auto const specs = map_specs();
  auto const n = static_cast<std::int64_t>(data_.voxels.size());
  // Every column and every status is written below: no need to zero them first.
  auto maps = SubjectMaps::uninitialized(specs, n, "voxflow::pipeline::dce");
  std::size_t const n_params = dce::dce_parameter_names(settings_.fit.model, settings_.fit.fit_delay).size();
  std::size_t const n_derived = dce::dce_derived_info(settings_.fit.model).size();
  std::size_t const t1_column = n_params + 1 + n_derived;
  VoxelRange const range = context.fit_range(n);
  dispatch(context.backend, [&](auto space) {
    if (maps_t1()) {
      // T1 mapped in the same run feeds the signal conversion of the fit, and of the AIF (measured or
      // detected among all voxels): a split subject shares every part's T1.
      map_t1(space, settings_, data_, range, context.chunk_voxels,
             {map_columns(maps.values, t1_column, 3), {}});
      data_.t1.assign(static_cast<std::size_t>(n), 0.0);
      for (std::int64_t v = range.begin; v < range.end; ++v)
        data_.t1[static_cast<std::size_t>(v)] = maps.values(v, t1_column);
      if (context.split != nullptr) context.split->share_rows(data_.t1.data(), n, 1);
      context.timer->stage("t1");
    }
    aif_ = compute_aif(space, settings_, data_, context.chunk_voxels);
    require_nonzero_aif(settings_, aif_, data_.times);
    context.timer->stage("aif");
    Progress progress("sub-" + subject_ + " fit", range.size(), context.quiet);
    fit_voxels(space, settings_, data_, aif_.plasma, range, context.chunk_voxels,
               {map_columns(maps.values, 0, n_params + 1), maps.status}, &progress);
    context.timer->stage("fit");
  });
  std::vector<double> derived(n_derived);
  for (std::int64_t v = range.begin; v < range.end; ++v) {
    dce::dce_derived_values(settings_.fit.model, &maps.values(v, 0), derived.data());
    for (std::size_t k = 0; k < n_derived; ++k) maps.values(v, n_params + 1 + k) = derived[k];
  }
  return maps;
}

std::vector<TextOutput> DceAnalysis::extra_outputs() const {
  std::ostringstream table;
  table.precision(10);
  table << "time_s\tplasma_mM\n";
  for (std::size_t j = 0; j < data_.times.size(); ++j)
    table << data_.times[j] << "\t" << aif_.plasma[j] << "\n";
  return {{"aif", ".tsv", table.str()}, {"aif", ".json", aif_.info.dump(2) + "\n"}};
}

std::vector<RecordVector> DceAnalysis::record_vectors() const {
  return {{"/aif/time_s", "s", data_.times}, {"/aif/plasma_mM", "mM", aif_.plasma}};
}

std::vector<std::pair<std::string, std::string>> DceAnalysis::record_attributes() const {
  return {{"model", method_name()}, {"aif", aif_.info.dump()}};
}

std::vector<QcPanel> DceAnalysis::qc_panels(SubjectMaps const& maps,
                                            std::vector<std::int64_t> const& rows) const {
  std::vector<double> minutes;
  for (double t : data_.times) minutes.push_back(t / units::seconds_per_minute);
  QcPanel aif{"AIF used", "time [min]", "mM", {{minutes, aif_.plasma, false, "AIF (plasma)", aif_color}}};
  QcPanel fits{"fits over data", "time [min]", "mM", {}};
  if (!rows.empty()) {
    using Host = Kokkos::DefaultHostExecutionSpace;
    auto const data =
        concentration_of_rows(Host(), settings_, data_, rows, static_cast<std::int64_t>(rows.size()));
    auto const names = dce::dce_parameter_names(settings_.fit.model, settings_.fit.fit_delay);
    Maps<Kokkos::HostSpace> params("voxflow::pipeline::dce::qc_params", rows.size(), names.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t k = 0; k < names.size(); ++k) params(i, k) = maps.values(rows[i], k);
    auto const inputs =
        dce::make_dce_inputs<Kokkos::HostSpace>(data_.times, data_.times, aif_.plasma, settings_.config_file);
    Series<Kokkos::HostSpace> fitted("voxflow::pipeline::dce::qc_fitted", rows.size(), data_.times.size());
    dce::predict_dce(Host(), inputs, settings_.fit, params, fitted);
    Kokkos::fence();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::vector<double> measured(data_.times.size()), model(data_.times.size());
      for (std::size_t j = 0; j < data_.times.size(); ++j) {
        measured[j] = data(i, j);
        model[j] = fitted(i, j);
      }
      int const color = static_cast<int>(i % 3);
      fits.curves.push_back({minutes, measured, true, "", color});
      fits.curves.push_back({minutes, model, false, names[0] + "=" + io::format_number(params(i, 0)), color});
    }
  }
  return {aif, fits};
}

}  // namespace voxflow::pipeline::dce_run
