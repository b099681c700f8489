#include "dce_subject.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/core/fit_status.hpp>
#include <voxflow/core/runtime.hpp>
#include <voxflow/core/version.hpp>
#include <voxflow/dce/fit_dce.hpp>
#include <voxflow/dce/predict_dce.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/hdf5_subject_file.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/qc_plot.hpp>
#include <voxflow/pipeline/dce_pipeline.hpp>
#include <voxflow/pipeline/masked_volume.hpp>
#include <voxflow/pipeline/subject_outputs.hpp>
#include <voxflow/pipeline/subject_reports.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

namespace voxflow::pipeline {

namespace fs = std::filesystem;
using detail::DceCompute;
using detail::dynamic_input;
using detail::read_subject;
using detail::SubjectData;
using detail::SubjectResults;

std::string dce_desc_label(dce::DceModel model) {
  std::string name = dce::dce_model_name(model);
  name.erase(std::remove(name.begin(), name.end(), '_'), name.end());  // BIDS labels are alphanumeric
  return name;
}

namespace {

using Clock = std::chrono::steady_clock;

class StageTimer {
 public:
  explicit StageTimer(SubjectReport& report) : report_(report), start_(Clock::now()) {}
  void stage(std::string const& name) {
    auto const now = Clock::now();
    report_.stage_seconds.emplace_back(name, std::chrono::duration<double>(now - start_).count());
    start_ = now;
  }

 private:
  SubjectReport& report_;
  Clock::time_point start_;
};

// Per-voxel parameter names and derived maps of a model, with units and descriptions for the sidecars.
struct MapSpec {
  MapSpec(std::string suffix_, std::string units_, std::string description_, std::string desc_extra_ = "")
      : suffix(std::move(suffix_)),
        units(std::move(units_)),
        description(std::move(description_)),
        desc_extra(std::move(desc_extra_)) {}
  std::string suffix, units, description;
  std::string desc_extra;  // status segmentations: "fitstatus" (desc-<model>fitstatus_dseg)
};

MapSpec describe_parameter(std::string const& name) {
  if (name == "Ktrans") return {"Ktrans", "1/min", "volume transfer constant (CAPLEX Q.PH1.008)"};
  if (name == "ve") return {"ve", "mL/mL", "extravascular extracellular volume fraction (Q.PH1.001)"};
  if (name == "vp") return {"vp", "mL/mL", "plasma volume fraction (Q.PH1.001)"};
  if (name == "Fp") return {"Fp", "1/min", "plasma flow per unit tissue volume (Q.PH1.002), mL/min/mL"};
  if (name == "PS") return {"PS", "1/min", "permeability-surface area product per unit volume (Q.PH1.004)"};
  if (name == "delay") return {"delay", "s", "arterial delay of the tissue curve after the AIF"};
  return {name, "", name};
}

}  // namespace

namespace {

// Derived maps: kep = Ktrans / ve for the Tofts models; the extraction fraction E = PS / (Fp + PS) and
// Ktrans = E Fp for the two-compartment models.
std::vector<std::pair<MapSpec, std::vector<double>>> derived_maps(DceRunConfig const& c,
                                                                  SubjectResults const& r) {
  auto const names = dce::dce_parameter_names(c.fit.model, c.fit.fit_delay);
  auto column = [&](char const* name) -> std::vector<double> const& {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return r.params[i];
    throw Error(ExitCode::failure, std::string("no parameter ") + name);
  };
  std::vector<std::pair<MapSpec, std::vector<double>>> maps;
  std::size_t const n = r.r2.size();
  if (c.fit.model == dce::DceModel::tofts || c.fit.model == dce::DceModel::extended_tofts) {
    std::vector<double> kep(n);
    for (std::size_t v = 0; v < n; ++v)
      kep[v] = column("ve")[v] > 0 ? column("Ktrans")[v] / column("ve")[v] : 0.0;
    maps.push_back({{"kep", "1/min", "efflux rate constant Ktrans/ve (Q.PH1.009)"}, kep});
  }
  if (c.fit.model == dce::DceModel::two_compartment_exchange ||
      c.fit.model == dce::DceModel::two_compartment_uptake) {
    std::vector<double> e(n), ktrans(n);
    for (std::size_t v = 0; v < n; ++v) {
      double const fp = column("Fp")[v], ps = column("PS")[v];
      e[v] = fp + ps > 0 ? ps / (fp + ps) : 0.0;
      ktrans[v] = e[v] * fp;
    }
    maps.push_back({{"E", "", "extraction fraction PS/(Fp+PS)"}, e});
    maps.push_back({{"Ktrans", "1/min", "volume transfer constant E*Fp"}, ktrans});
  }
  return maps;
}

// Three voxels at the 25th, 50th and 75th percentile of the first parameter, shown in the QC image.
std::vector<std::int64_t> qc_voxels(SubjectResults const& r) {
  std::vector<std::int64_t> usable;
  for (std::size_t v = 0; v < r.status.size(); ++v)
    if (fit_status_usable(static_cast<FitStatus>(static_cast<int>(r.status[v]))))
      usable.push_back(static_cast<std::int64_t>(v));
  if (usable.empty()) return {};
  std::sort(usable.begin(), usable.end(), [&](auto a, auto b) { return r.params[0][a] < r.params[0][b]; });
  return {usable[usable.size() / 4], usable[usable.size() / 2], usable[3 * usable.size() / 4]};
}

// Their concentration curves (what the fit saw) and model curves.
QcCurves qc_curves(DceRunConfig const& c, SubjectData const& d, SubjectResults const& r,
                   std::vector<std::int64_t> const& rows, std::vector<std::vector<double>> const& data) {
  QcCurves q;
  if (rows.empty()) return q;
  auto const names = dce::dce_parameter_names(c.fit.model, c.fit.fit_delay);
  Maps<Kokkos::HostSpace> params("voxflow::pipeline::qc_params", rows.size(), names.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t k = 0; k < names.size(); ++k)
      params(i, k) = r.params[k][static_cast<std::size_t>(rows[i])];
  auto const inputs = dce::make_dce_inputs<Kokkos::HostSpace>(d.times, d.times, r.aif, c.config_file);
  Series<Kokkos::HostSpace> fitted("voxflow::pipeline::qc_fitted", rows.size(), d.times.size());
  dce::predict_dce(Kokkos::DefaultHostExecutionSpace(), inputs, c.fit, params, fitted);
  Kokkos::fence();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<double> fit(d.times.size());
    for (std::size_t j = 0; j < d.times.size(); ++j) fit[j] = fitted(i, j);
    q.data.push_back(data[i]);
    q.fitted.push_back(fit);
    q.labels.push_back(names[0] + "=" + io::format_number(r.params[0][static_cast<std::size_t>(rows[i])]));
  }
  return q;
}

// Runs job(0..n-1) on up to host_threads() threads; the first exception is rethrown after all threads stop.
template <class Job>
void run_parallel(std::size_t n, Job const& job) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&]() {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::size_t const workers = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, host_threads())));
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

nlohmann::json status_code_table() {
  nlohmann::json table;
  for (int code = 0; code < fit_status_count; ++code)
    table[std::to_string(code)] = fit_status_name(static_cast<FitStatus>(code));
  return table;
}

}  // namespace

SubjectReport run_dce_subject(DceRunConfig const& c, RunOptions const& ro) {
  auto const run_start = Clock::now();
  SubjectReport report;
  report.subject = "sub-" + c.subject;
  SubjectOutputs outputs(c.output.dir, c.subject, c.session, dce_desc_label(c.fit.model), c.output.compress);
  report.folder = outputs.folder();
  std::string const record_path = outputs.path("run", ".json");
  if (fs::exists(record_path)) {
    if (ro.resume) {
      report.skipped = true;
      return report;
    }
    if (!c.output.overwrite)
      throw OutputError(record_path,
                        "the outputs of " + report.subject +
                            " already exist; pass --overwrite to replace them or --resume to skip "
                            "finished subjects");
    fs::remove(record_path);  // an interrupted overwrite must not look complete
  }
  StageTimer timer(report);
  check_dce_inputs(c);  // before any voxel data is read
  timer.stage("validate");
  SubjectData data = read_subject(c);
  report.voxels = static_cast<std::int64_t>(data.voxels.size());
  timer.stage("read");

  SubjectResults results;
  std::vector<double> t1_m0, t1_status;
  std::vector<std::int64_t> qc_rows;
  std::vector<std::vector<double>> qc_data;
  dispatch(resolve_backend(c.backend), [&](auto space) {
    DceCompute<decltype(space)> compute(space, c, data, ro.chunk_voxels);
    if (data.vfa.extent(0) > 0) {
      compute.map_t1(data.t1, t1_m0, t1_status);  // T1 mapped in the same run feeds the conversion below
      timer.stage("t1");
    }
    results.aif = compute.aif(results.aif_info);
    timer.stage("aif");
    compute.fit(results.aif, results, ro.quiet);
    timer.stage("fit");
    if (c.output.qc) {
      qc_rows = qc_voxels(results);
      auto const conc =
          Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), compute.concentration(qc_rows));
      for (std::size_t i = 0; i < qc_rows.size(); ++i) {
        qc_data.emplace_back(data.times.size());
        for (std::size_t j = 0; j < data.times.size(); ++j) qc_data.back()[j] = conc(i, j);
      }
    }
  });
  for (double s : results.status) {
    report.fitted += static_cast<FitStatus>(static_cast<int>(s)) != FitStatus::masked_out ? 1 : 0;
    report.usable += fit_status_usable(static_cast<FitStatus>(static_cast<int>(s))) ? 1 : 0;
  }

  // Outputs: maps with sidecars, the AIF used, the resolved configuration, then the run record last.
  outputs.create_folder();
  write_dataset_description(c.output.dir);
  outputs.provenance = {{"SoftwareName", "voxflow"},
                        {"SoftwareVersion", VOXFLOW_VERSION_STRING},
                        {"SoftwareCommit", VOXFLOW_GIT_COMMIT},
                        {"Model", dce::dce_model_name(c.fit.model)},
                        {"Method", "bounded Levenberg-Marquardt, exact piecewise-linear convolution"},
                        {"ConfigurationHash", text_hash(c.resolved_yaml)},
                        {"Sources", nlohmann::json::array({dynamic_input(c)})},
                        {"AIF", results.aif_info}};
  auto const names = dce::dce_parameter_names(c.fit.model, c.fit.fit_delay);
  SubjectRecord record;
  record.dims = data.dims;
  record.times_s = data.times;
  record.aif_plasma = results.aif;
  std::vector<nlohmann::json> sidecars;
  std::vector<std::string> desc_extras, suffixes;
  auto write = [&](MapSpec const& spec, std::vector<double> const& values, double background,
                   bool codes = false) {
    nlohmann::json sidecar = {{"Description", spec.description}};
    if (codes) sidecar["StatusCodes"] = status_code_table();
    sidecars.push_back(sidecar);
    report.files.push_back(outputs.map_path(spec.suffix, spec.desc_extra));
    record.maps.push_back({spec.desc_extra.empty() ? spec.suffix : spec.desc_extra, spec.units,
                           scatter(values, data.voxels, background), codes});
    desc_extras.push_back(spec.desc_extra);
    suffixes.push_back(spec.suffix);
    if (codes) {  // the lookup table of a BIDS discrete segmentation
      std::string const tsv = outputs.path(spec.suffix, ".tsv", spec.desc_extra);
      std::string table = "index\tname\n";
      for (int code = 0; code < fit_status_count; ++code)
        table += std::to_string(code) + "\t" + fit_status_name(static_cast<FitStatus>(code)) + "\n";
      io::write_text_atomically(tsv, table);
      report.files.push_back(tsv);
    }
  };
  for (std::size_t i = 0; i < names.size(); ++i) write(describe_parameter(names[i]), results.params[i], 0.0);
  for (auto const& [spec, values] : derived_maps(c, results)) write(spec, values, 0.0);
  write({"rsquared", "", "coefficient of determination R^2 of the fit"}, results.r2, 0.0);
  if (!t1_status.empty()) {
    write({"T1", "s", "pre-contrast T1 from the variable-flip-angle series (" + c.t1_method + ")"}, data.t1,
          0.0);
    write({"M0", "", "equilibrium signal of the variable-flip-angle fit"}, t1_m0, 0.0);
    write({"dseg", "", "T1 fit status code per voxel (see StatusCodes and the .tsv)", "t1fitstatus"},
          t1_status, static_cast<double>(FitStatus::masked_out), true);
  }
  write({"dseg", "", "fit status code per voxel (see StatusCodes and the .tsv)", "fitstatus"}, results.status,
        static_cast<double>(FitStatus::masked_out), true);
  // Compressing the maps dominates writing: one map per host thread at a time.
  run_parallel(record.maps.size(), [&](std::size_t i) {
    auto const& m = record.maps[i];
    outputs.write_map(suffixes[i], data.geometry, data.dims, m.values, m.units, sidecars[i], m.codes,
                      desc_extras[i]);
  });
  {
    // The AIF actually used, as a two-column table.
    std::string const aif_path = outputs.path("aif", ".tsv");
    std::ostringstream table;
    table.precision(10);
    table << "time_s\tplasma_mM\n";
    for (std::size_t j = 0; j < data.times.size(); ++j)
      table << data.times[j] << "\t" << results.aif[j] << "\n";
    io::write_text_atomically(aif_path, table.str());
    report.files.push_back(aif_path);
    write_json(outputs.path("aif", ".json"), results.aif_info);
  }
  {
    std::string const config_path = outputs.path("config", ".yaml");
    io::write_text_atomically(config_path, "# resolved by voxflow " + std::string(VOXFLOW_VERSION_STRING) +
                                               " from " + c.config_file + "\n" + c.resolved_yaml);
    report.files.push_back(config_path);
  }
  record.attributes = {
      {"software", std::string("voxflow ") + VOXFLOW_VERSION_STRING + " (" + VOXFLOW_GIT_COMMIT + ")"},
      {"model", dce::dce_model_name(c.fit.model)},
      {"configuration_hash", text_hash(c.resolved_yaml)},
      {"configuration", c.resolved_yaml},
      {"aif", results.aif_info.dump()}};
  if (c.output.hdf5 && io::hdf5_support_built()) {
    write_subject_hdf5(outputs.path("voxflow", ".h5"), record);
    report.files.push_back(outputs.path("voxflow", ".h5"));
  }
  if (c.output.qc) {
    write_subject_qc(outputs.path("qc", ".png"), report.subject + "  " + dce::dce_model_name(c.fit.model),
                     record, qc_curves(c, data, results, qc_rows, qc_data));
    report.files.push_back(outputs.path("qc", ".png"));
  }
  timer.stage("write");
  report.total_seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  nlohmann::json run_record = {{"Subject", report.subject},
                               {"Voxels", report.voxels},
                               {"Fitted", report.fitted},
                               {"Usable", report.usable},
                               {"TotalSeconds", report.total_seconds},
                               {"Files", report.files}};
  for (auto const& [stage, seconds] : report.stage_seconds) run_record["StageSeconds"][stage] = seconds;
  write_json(record_path, run_record);  // last: its presence means the subject is complete
  return report;
}

}  // namespace voxflow::pipeline
