#include <voxflow/conformance/dce_conformance.hpp>
#include <voxflow/dce/predict_dce.hpp>
#include <voxflow/dce/signal_to_concentration.hpp>
#include <voxflow/io/csv_table.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace voxflow::dce {

namespace {

using conformance::CaseResult;
using conformance::FileReport;
using conformance::RunContext;
using conformance::Tolerance;

std::string file_name(std::string const& path) {
  return path.substr(path.find_last_of('/') + 1);
}

bool starts_with(std::string const& s, std::string const& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// The model a reference file holds, from its file name (the reference README's naming).
bool model_of_file(std::string const& name, DceModel& model) {
  if (name.find("extended_tofts") != std::string::npos)
    model = DceModel::extended_tofts;
  else if (name.find("tofts") != std::string::npos)
    model = DceModel::tofts;
  else if (starts_with(name, "patlak"))
    model = DceModel::patlak;
  else if (starts_with(name, "2cxm"))
    model = DceModel::two_compartment_exchange;
  else if (starts_with(name, "2cum"))
    model = DceModel::two_compartment_uptake;
  else
    return false;
  return true;
}

std::string first_column(io::CsvTable const& table, std::initializer_list<char const*> names) {
  for (auto const* n : names)
    if (table.has_column(n)) return n;
  std::string expected;
  for (auto const* n : names) expected += std::string(expected.empty() ? "" : " or ") + "'" + n + "'";
  throw InputError(table.path(), "header", "a column " + expected);
}

// Host-side host (voxel, time) array of one curve.
Kokkos::View<double**, Kokkos::HostSpace> as_series(std::vector<double> const& curve) {
  Kokkos::View<double**, Kokkos::HostSpace> s("voxflow::conformance::curve", 1, curve.size());
  for (std::size_t j = 0; j < curve.size(); ++j) s(0, j) = curve[j];
  return s;
}

struct Curves {
  std::vector<double> t, c, ta, ca;
};

std::vector<double> fit_one(Backend backend, DceFitOptions const& options, Curves const& in,
                            std::string const& source) {
  std::vector<double> params;
  dispatch(backend, [&](auto space) {
    using Mem = typename decltype(space)::memory_space;
    auto const inputs = make_dce_inputs<Mem>(in.t, in.ta, in.ca, source);
    auto const conc = upload_series<Mem>(as_series(in.c), "voxflow::conformance::conc");
    auto const n_params = static_cast<int>(dce_parameter_names(options.model, options.fit_delay).size());
    fit::FitOutputs<Mem> out(space, "voxflow::conformance::dce", 1, n_params);
    fit_dce(space, conc, inputs, Kokkos::View<std::uint8_t const*, Mem>(), options, out);
    auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.params);
    for (int i = 0; i < n_params; ++i) params.push_back(host(0, i));
  });
  return params;
}

std::vector<double> predict_one(Backend backend, DceFitOptions const& options, Curves const& in,
                                std::vector<double> const& params, std::string const& source) {
  std::vector<double> curve(in.t.size());
  dispatch(backend, [&](auto space) {
    using Mem = typename decltype(space)::memory_space;
    auto const inputs = make_dce_inputs<Mem>(in.t, in.ta, in.ca, source);
    Maps<Mem> p("voxflow::conformance::params", 1, params.size());
    auto ph = Kokkos::create_mirror_view(p);
    for (std::size_t i = 0; i < params.size(); ++i) ph(0, i) = params[i];
    Kokkos::deep_copy(p, ph);
    Series<Mem> out("voxflow::conformance::curve", 1, in.t.size());
    predict_dce(space, inputs, options, p, out);
    auto oh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    for (std::size_t j = 0; j < curve.size(); ++j) curve[j] = oh(0, j);
  });
  return curve;
}

// Reference parameter columns of a model file, mapped to voxflow's parameters: (column, voxflow name, factor
// from voxflow's unit to the column's unit).
struct ParamColumn {
  char const* column;
  char const* name;
  double to_reference;
};

// Parameter columns of a model file. The OSIPI files name Patlak's Ktrans "ps" and give Fp in mL/100 mL/min,
// PS in 1/min; osipy's forward files use voxflow's names with Fp and PS both in mL/100 mL/min.
std::vector<ParamColumn> parameter_columns(DceModel model, bool osipy = false) {
  switch (model) {
    case DceModel::tofts:
      return {{"Ktrans", "Ktrans", 1.0}, {"ve", "ve", 1.0}};
    case DceModel::extended_tofts:
      return {{"Ktrans", "Ktrans", 1.0}, {"ve", "ve", 1.0}, {"vp", "vp", 1.0}};
    case DceModel::patlak:
      return {{osipy ? "Ktrans" : "ps", "Ktrans", 1.0}, {"vp", "vp", 1.0}};
    case DceModel::two_compartment_exchange:
      return {{osipy ? "Fp" : "fp", "Fp", 100.0},
              {osipy ? "PS" : "ps", "PS", osipy ? 100.0 : 1.0},
              {"ve", "ve", 1.0},
              {"vp", "vp", 1.0}};
    case DceModel::two_compartment_uptake:
      return {{osipy ? "Fp" : "fp", "Fp", 100.0},
              {osipy ? "PS" : "ps", "PS", osipy ? 100.0 : 1.0},
              {"vp", "vp", 1.0}};
  }
  return {};
}

Tolerance default_tolerance(std::string const& column) {
  if (column == "Ktrans" || column == "ps") return {0.005, 0.1};
  if (column == "ve") return {0.05, 0.0};
  if (column == "vp") return {0.025, 0.0};
  if (column == "fp") return {5.0, 0.1};
  return {1.0, 0.0};  // delays, s
}

double value_of(std::vector<std::string> const& names, std::vector<double> const& params,
                std::string const& name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return params[i];
  return std::nan("");
}

// Compares fitted parameters with a row's reference columns.
CaseResult compare(std::string label, DceFitOptions const& options, std::vector<double> const& fitted,
                   io::CsvTable const& table, std::size_t row, RunContext const& ctx,
                   char const* delay_column, double expected_delay, Tolerance delay_tolerance) {
  CaseResult result{std::move(label), {}, {}};
  auto const names = dce_parameter_names(options.model, options.fit_delay);
  for (auto const& pc : parameter_columns(options.model)) {
    double const reference = table.number(row, pc.column);
    Tolerance const tol = ctx.tolerances->output(ctx.relative_path, pc.column, default_tolerance(pc.column));
    result.checks.push_back(
        conformance::check(pc.column, reference, value_of(names, fitted, pc.name) * pc.to_reference, tol));
  }
  if (options.fit_delay)
    result.checks.push_back(
        conformance::check(delay_column, expected_delay, value_of(names, fitted, "delay"), delay_tolerance));
  return result;
}

}  // namespace

FileReport run_model_reference_file(RunContext const& ctx) {
  FileReport report{ctx.relative_path, {}};
  auto const table = io::CsvTable::read(ctx.path);
  DceModel model;
  if (!model_of_file(file_name(ctx.path), model))
    throw InputError(ctx.path, "file name",
                     "a name naming the model: *tofts*, *extended_tofts*, patlak*, 2cxm*, 2cum*");
  std::string const c_col = first_column(table, {"C_t", "C"});
  std::string const ca_col = first_column(table, {"cp_aif", "ca"});
  bool const tofts_family = model == DceModel::tofts || model == DceModel::extended_tofts;
  std::string const delay_col = first_column(table, {"arterial_delay", "arterialdelay"});
  // Delay files are those whose cases carry a non-zero delay or whose tolerances judge one.
  bool fit_delay = ctx.tolerances->output(ctx.relative_path, delay_col, {-1.0, 0.0}).atol >= 0.0;
  for (std::size_t r = 0; r < table.rows(); ++r) fit_delay = fit_delay || table.number(r, delay_col) != 0.0;
  bool const noise_free = ctx.relative_path.find("noisefree") != std::string::npos;

  for (std::size_t r = 0; r < table.rows(); ++r) {
    std::string const label = table.text(r, "label");
    try {
      Curves in;
      in.t = table.numbers(r, "t");
      in.c = table.numbers(r, c_col);
      in.ca = table.numbers(r, ca_col);
      in.ta = table.has_column("ta") ? table.numbers(r, "ta") : in.t;
      DceFitOptions options;
      options.model = model;
      options.fit_delay = fit_delay && !tofts_family;
      Tolerance const delay_tol = ctx.tolerances->output(ctx.relative_path, delay_col, {1.0, 0.0});
      auto const fitted = fit_one(ctx.backend, options, in, ctx.path);
      report.cases.push_back(compare(label, options, fitted, table, r, ctx, delay_col.c_str(),
                                     table.number(r, delay_col), delay_tol));
      if (tofts_family) {
        // The original suite's delayed variant: the curve shifted by the samples of the first 5 s, zeros in
        // front.
        std::size_t shift = 0;
        while (shift + 1 < in.t.size() && in.t[shift] - in.t[0] < 5.0 - 1e-9) ++shift;
        Curves delayed = in;
        for (std::size_t j = 0; j < in.c.size(); ++j) delayed.c[j] = j < shift ? 0.0 : in.c[j - shift];
        DceFitOptions with_delay = options;
        with_delay.fit_delay = true;
        auto const refit = fit_one(ctx.backend, with_delay, delayed, ctx.path);
        Tolerance const tol = ctx.tolerances->delay_variant(ctx.relative_path, "delay", {1.0, 0.0});
        report.cases.push_back(compare(label + "_delayed", with_delay, refit, table, r, ctx, "delay",
                                       table.number(r, delay_col) + in.t[shift] - in.t[0], tol));
      }
      if (noise_free) {
        // Forward check: the model curve at the reference parameters against the stored curve.
        std::vector<double> params;
        for (auto const& pc : parameter_columns(model))
          params.push_back(table.number(r, pc.column) / pc.to_reference);
        DceFitOptions forward = options;
        forward.fit_delay = table.number(r, delay_col) != 0.0;
        if (forward.fit_delay) params.push_back(table.number(r, delay_col));
        auto const curve = predict_one(ctx.backend, forward, in, params, ctx.path);
        CaseResult check{label + "_forward", {}, {}};
        Tolerance const tol{ctx.tolerances->forward_check_atol(ctx.relative_path, 2e-4), 0.0};
        for (std::size_t j = 0; j < curve.size(); ++j)
          check.checks.push_back(
              conformance::check(c_col + "[" + std::to_string(j) + "]", in.c[j], curve[j], tol));
        report.cases.push_back(std::move(check));
      }
    } catch (Error const& e) {
      report.cases.push_back(CaseResult{label, {}, e.what()});
    }
  }
  return report;
}

FileReport run_forward_reference_file(RunContext const& ctx) {
  FileReport report{ctx.relative_path, {}};
  auto const table = io::CsvTable::read(ctx.path);
  DceModel model;
  if (!model_of_file(file_name(ctx.path), model))
    throw InputError(ctx.path, "file name", "tofts, extended_tofts, patlak, 2cxm or 2cum");
  auto const columns = parameter_columns(model, true);
  Tolerance const tol = ctx.tolerances->output(ctx.relative_path, "C", {1e-6, 1e-5});
  for (std::size_t r = 0; r < table.rows(); ++r) {
    std::string const label = table.text(r, "label");
    try {
      Curves in;
      in.t = table.numbers(r, "t");
      in.ta = in.t;
      in.ca = table.numbers(r, "ca");
      auto const expected = table.numbers(r, "C");
      DceFitOptions options;
      options.model = model;
      options.convolution = ToftsConvolution::osipy_compatible;
      std::vector<double> params;
      for (auto const& pc : columns) params.push_back(table.number(r, pc.column) / pc.to_reference);
      auto const curve = predict_one(ctx.backend, options, in, params, ctx.path);
      CaseResult result{label, {}, {}};
      for (std::size_t j = 0; j < expected.size(); ++j)
        result.checks.push_back(conformance::check("C[" + std::to_string(j) + "]", expected[j],
                                                   j < curve.size() ? curve[j] : std::nan(""), tol));
      report.cases.push_back(std::move(result));
    } catch (Error const& e) {
      report.cases.push_back(CaseResult{label, {}, e.what()});
    }
  }
  return report;
}

FileReport run_si2conc_reference_file(RunContext const& ctx) {
  FileReport report{ctx.relative_path, {}};
  auto const table = io::CsvTable::read(ctx.path);
  Tolerance const tol = ctx.tolerances->output(ctx.relative_path, "conc", {1e-5, 1e-5});
  for (std::size_t r = 0; r < table.rows(); ++r) {
    std::string const label = table.text(r, "label");
    try {
      auto const signal = table.numbers(r, "s");
      auto const expected = table.numbers(r, "conc");
      SpgrConversion c;
      c.flip_angle_deg = table.number(r, "FA");
      c.tr_s = table.number(r, "TR");
      c.relaxivity = table.number(r, "r1");
      c.assumed_t1_s = table.number(r, "T1base");
      c.baseline_begin = 1;  // the OSIPI convention: frame 0 is skipped
      c.baseline_end = static_cast<int>(table.number(r, "numbaselinepts"));
      std::vector<double> conc(signal.size());
      dispatch(ctx.backend, [&](auto space) {
        using Mem = typename decltype(space)::memory_space;
        auto const s = upload_series<Mem>(as_series(signal), "voxflow::conformance::signal");
        Series<Mem> out("voxflow::conformance::conc", 1, signal.size());
        signal_to_concentration(space, s, Kokkos::View<double const*, Mem>(), c, out);
        auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
        for (std::size_t j = 0; j < conc.size(); ++j) conc[j] = h(0, j);
      });
      CaseResult result{label, {}, {}};
      for (std::size_t j = 1; j < expected.size(); ++j)  // sample 0 is not compared (reference README §2)
        result.checks.push_back(
            conformance::check("conc[" + std::to_string(j) + "]", expected[j], conc[j], tol));
      report.cases.push_back(std::move(result));
    } catch (Error const& e) {
      report.cases.push_back(CaseResult{label, {}, e.what()});
    }
  }
  return report;
}

}  // namespace voxflow::dce
