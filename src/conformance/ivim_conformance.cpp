#include <voxflow/conformance/ivim_conformance.hpp>
#include <voxflow/core/backend.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/io/csv_table.hpp>
#include <voxflow/ivim/b_value_shells.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace voxflow::ivim {

using conformance::CaseResult;
using conformance::FileReport;
using conformance::RunContext;
using conformance::Tolerance;

namespace {

// The conditions under which the TF2.4 test asserts D and D* (reference README §7).
constexpr double d_checked_below_f = 0.80;
constexpr double dstar_checked_above_f = 0.03;

struct Row {
  std::size_t index = 0;
  std::string label;
  std::vector<double> b, signal;
  double d = 0.0, f = 0.0, dstar = 0.0;
};

Row parse_row(io::CsvTable const& table, std::size_t r) {
  Row row;
  row.index = r;
  row.label = table.text(r, "case");
  row.b = table.numbers(r, "bvalues");
  row.signal = table.numbers(r, "signal");
  require_input(row.signal.size() == row.b.size(), table.path(), "signal (row " + std::to_string(r + 1) + ")",
                "one signal per b-value (" + std::to_string(row.b.size()) + "), found " +
                    std::to_string(row.signal.size()));
  row.d = table.number(r, "D");
  row.f = table.number(r, "f");
  row.dstar = table.number(r, "Dp");
  return row;
}

// The TF2.4 test bounds; D* starts at 0.01 for rows whose reference f is 0.
IvimBounds test_bounds(bool no_perfusion) {
  IvimBounds b;
  b.lower[s0] = 0.7;
  b.upper[s0] = 1.3;
  b.lower[d] = 0.0;
  b.upper[d] = 0.005;
  b.lower[dstar] = no_perfusion ? 0.01 : 0.005;
  b.upper[dstar] = 0.2;
  b.lower[f] = 0.0;
  b.upper[f] = 1.0;
  return b;
}

// Fits rows sharing a protocol and bounds in one call; returns (S0, D, D*, f) per row, NaN where the voxel's
// fit is not usable.
template <class Space>
std::vector<std::array<double, 4>> fit_group(Space const& space, std::vector<Row const*> const& rows,
                                             IvimFitOptions const& options, std::string const& source) {
  using Mem = typename Space::memory_space;
  auto const shells = group_b_values(rows.front()->b, source);
  Kokkos::View<double**, Kokkos::HostSpace> raw("voxflow::ivim::conformance::raw", rows.size(),
                                                rows.front()->b.size());
  for (std::size_t v = 0; v < rows.size(); ++v)
    for (std::size_t j = 0; j < rows[v]->b.size(); ++j) raw(v, j) = rows[v]->signal[j];
  auto const data = upload_series<Mem>(average_shells(raw, shells), "voxflow::ivim::conformance::signal");
  auto const protocol = make_ivim_protocol<Mem>(space, shells.b, options, source);
  Maps<Mem> values("voxflow::ivim::conformance::values", rows.size(), ivim_column_count(options.method));
  StatusMap<Mem> status("voxflow::ivim::conformance::status", rows.size());
  fit_ivim(space, data, protocol, options, std::numeric_limits<double>::quiet_NaN(), values, status);
  auto const v_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), values);
  auto const s_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), status);
  std::vector<std::array<double, 4>> result(rows.size());
  double const nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t v = 0; v < rows.size(); ++v) {
    bool const ok = fit_status_usable(static_cast<FitStatus>(s_host(v)));
    for (int k = 0; k < 4; ++k) result[v][k] = ok ? v_host(v, k) : nan;
  }
  return result;
}

}  // namespace

FileReport run_ivim_reference_file(RunContext const& ctx, std::vector<IvimMethod> const& methods) {
  auto const table = io::CsvTable::read(ctx.path);
  for (char const* column : {"case", "D", "f", "Dp", "bvalues", "signal"})
    require_input(table.has_column(column), table.path(), column,
                  "a column named '" + std::string(column) + "'");
  auto tolerance = [&](char const* name, Tolerance fallback) {
    if (ctx.tolerances == nullptr) return fallback;
    return ctx.tolerances->output(ctx.relative_path, name,
                                  ctx.tolerances->output("ivim/generic.csv", name, fallback));
  };
  Tolerance const tol_f = tolerance("f", {0.2, 0.1});
  Tolerance const tol_d = tolerance("D", {5e-4, 0.1});
  Tolerance const tol_dstar = tolerance("Dp", {0.1, 0.1});

  std::vector<Row> rows;
  std::vector<std::string> row_errors(table.rows());
  for (std::size_t r = 0; r < table.rows(); ++r) {
    try {
      rows.push_back(parse_row(table, r));
    } catch (Error const& e) {
      row_errors[r] = e.what();
    }
  }
  // Rows are batched by protocol and bounds, so a file mixing protocols still fits in few calls.
  std::map<std::pair<std::vector<double>, bool>, std::vector<Row const*>> groups;
  for (auto const& row : rows) groups[{row.b, row.f == 0.0}].push_back(&row);

  FileReport report;
  report.relative_path = ctx.relative_path;
  for (IvimMethod method : methods) {
    std::string const prefix = ivim_method_name(method) + ": ";
    std::size_t const first = report.cases.size();
    report.cases.resize(first + table.rows());
    for (std::size_t r = 0; r < table.rows(); ++r) {
      report.cases[first + r].label = prefix + table.text(r, "case");
      report.cases[first + r].error = row_errors[r];
    }
    for (auto const& group : groups) {
      std::vector<Row const*> const& members = group.second;  // a named reference: lambdas cannot capture it
      IvimFitOptions options;
      options.method = method;
      options.noise = IvimNoise::voxel;
      options.bounds = test_bounds(group.first.second);
      try {
        std::vector<std::array<double, 4>> fitted;
        dispatch(ctx.backend,
                 [&](auto const& space) { fitted = fit_group(space, members, options, ctx.path); });
        for (std::size_t k = 0; k < members.size(); ++k) {
          Row const& row = *members[k];
          auto& checks = report.cases[first + row.index].checks;
          checks.push_back(conformance::check("f", row.f, fitted[k][f], tol_f));
          if (row.f < d_checked_below_f)
            checks.push_back(conformance::check("D", row.d, fitted[k][d], tol_d));
          if (row.f > dstar_checked_above_f)
            checks.push_back(conformance::check("Dp", row.dstar, fitted[k][dstar], tol_dstar));
        }
      } catch (
          Error const& e) {  // e.g. a protocol without b = 0: every row of the group fails with the reason
        for (Row const* row : members) report.cases[first + row->index].error = e.what();
      }
    }
  }
  return report;
}

std::vector<IvimMethod> methods_for(std::string const& relative_path) {
  if (relative_path.find("generic_DL") != std::string::npos) return {IvimMethod::bayesian};
  return {IvimMethod::segmented, IvimMethod::full, IvimMethod::bayesian};
}

FileReport run_ivim_reference_file(RunContext const& ctx) {
  return run_ivim_reference_file(ctx, methods_for(ctx.relative_path));
}

}  // namespace voxflow::ivim
