#include <voxflow/conformance/t1_conformance.hpp>
#include <voxflow/core/backend.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/io/csv_table.hpp>
#include <voxflow/t1/vfa_mapping.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace voxflow::t1 {

using conformance::CaseResult;
using conformance::FileReport;
using conformance::RunContext;

namespace {

// How a file states its inputs and reference (reference README §1).
struct FileFormat {
  double tr_to_s = 1.0;
  std::string reference_column;
  double reference_scale = 1.0;  // R1 [1/s] = scale * value, or, for T1 columns, scale / value
  bool reference_is_t1 = false;
};

std::string lower_case(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string file_name(std::string const& path) {
  auto const slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

FileFormat detect_format(io::CsvTable const& table, std::string const& relative_path) {
  for (char const* column : {"label", "FA", "TR", "s"})
    require_input(table.has_column(column), table.path(), column,
                  "a column named '" + std::string(column) + "'");
  FileFormat f;
  if (table.has_column("R1")) {
    // The QIBA DRO file has the same columns as the brain file but R1 in 1/ms; only its name tells them
    // apart.
    std::string const name = lower_case(file_name(relative_path));
    bool const qiba = name.find("qiba") != std::string::npos || name.find("quiba") != std::string::npos;
    f.reference_column = "R1";
    f.reference_scale = qiba ? 1000.0 : 1.0;
    return f;
  }
  if (table.has_column("T1 nonlinear")) {  // prostate format: every time in ms
    f.tr_to_s = 1e-3;
    f.reference_column = "T1 nonlinear";
    f.reference_scale = 1000.0;
    f.reference_is_t1 = true;
    return f;
  }
  throw InputError(table.path(), "R1",
                   "a reference column 'R1' (1/s, 1/ms for QIBA) or ' T1 nonlinear' (ms)");
}

// One parsed row, ready to fit.
struct Row {
  std::size_t index = 0;
  std::vector<double> flip_angles;  // deg
  double tr_s = 0.0;
  std::vector<double> signal;
  double reference_r1 = 0.0;  // 1/s
};

Row parse_row(io::CsvTable const& table, FileFormat const& format, std::size_t r) {
  Row row;
  row.index = r;
  row.flip_angles = table.numbers(r, "FA");
  row.signal = table.numbers(r, "s");
  std::string const where = "row " + std::to_string(r + 1);
  require_input(row.signal.size() == row.flip_angles.size(), table.path(), "s (" + where + ")",
                "one signal per flip angle (" + std::to_string(row.flip_angles.size()) + "), found " +
                    std::to_string(row.signal.size()));
  auto const tr = table.numbers(r, "TR");
  require_input(!tr.empty() && (tr.size() == 1 || tr.size() == row.flip_angles.size()), table.path(),
                "TR (" + where + ")", "one TR or one per flip angle");
  for (double t : tr)
    require_input(std::fabs(t - tr.front()) <= 1e-12 * std::fabs(tr.front()), table.path(),
                  "TR (" + where + ")", "the same TR for every flip angle");
  row.tr_s = tr.front() * format.tr_to_s;
  double const ref = table.number(r, format.reference_column);
  row.reference_r1 = format.reference_is_t1 ? format.reference_scale / ref : format.reference_scale * ref;
  return row;
}

// Fits a group of rows sharing flip angles and TR in one call of the public API; returns R1 per row (NaN
// where the voxel's status is not a usable estimate).
template <class ExecutionSpace>
std::vector<double> fit_group(ExecutionSpace const& space, std::vector<Row const*> const& rows,
                              T1Method method) {
  using Mem = typename ExecutionSpace::memory_space;
  std::size_t const n = rows.size(), m = rows.front()->flip_angles.size();
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> host("voxflow::t1::conformance::signal", n,
                                                                      m);
  for (std::size_t v = 0; v < n; ++v)
    for (std::size_t j = 0; j < m; ++j) host(v, j) = rows[v]->signal[j];
  auto const signal = upload_series<Mem>(host, "voxflow::t1::conformance::signal");
  auto const angles = to_device<Mem>(space, rows.front()->flip_angles, "voxflow::t1::conformance::fa");
  T1Outputs<Mem> out(space, "voxflow::t1::conformance", static_cast<int>(n));
  map_t1_vfa(space, signal, angles, rows.front()->tr_s, {}, {}, method, out);
  auto const r1 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.r1);
  auto const status = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.status);
  std::vector<double> result(n);
  for (std::size_t v = 0; v < n; ++v)
    result[v] = fit_status_usable(static_cast<FitStatus>(status(v)))
                    ? r1(v)
                    : std::numeric_limits<double>::quiet_NaN();
  return result;
}

}  // namespace

FileReport run_t1_reference_file(RunContext const& ctx, T1Method method) {
  auto const table = io::CsvTable::read(ctx.path);
  FileFormat const format = detect_format(table, ctx.relative_path);
  conformance::Tolerance const tolerance = ctx.tolerances != nullptr
                                               ? ctx.tolerances->output(ctx.relative_path, "R1", {0.05, 0.05})
                                               : conformance::Tolerance{0.05, 0.05};
  FileReport report;
  report.relative_path = ctx.relative_path;
  report.cases.resize(table.rows());
  std::vector<Row> rows;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    report.cases[r].label = table.text(r, "label");
    try {
      rows.push_back(parse_row(table, format, r));
    } catch (Error const& e) {
      report.cases[r].error = e.what();
    }
  }
  // Rows are batched by acquisition (flip angles, TR), so a file mixing protocols still fits in few calls.
  std::map<std::pair<std::vector<double>, double>, std::vector<Row const*>> groups;
  for (auto const& row : rows) groups[{row.flip_angles, row.tr_s}].push_back(&row);
  for (auto const& group : groups) {
    std::vector<Row const*> const& members =
        group.second;  // a named reference: lambdas cannot capture bindings
    try {
      std::vector<double> r1;
      dispatch(ctx.backend, [&](auto const& space) { r1 = fit_group(space, members, method); });
      for (std::size_t k = 0; k < members.size(); ++k) {
        Row const& row = *members[k];
        report.cases[row.index].checks.push_back(
            conformance::check("R1", row.reference_r1, r1[k], tolerance));
      }
    } catch (Error const& e) {  // e.g. flip angles out of range: every row of the group fails with the reason
      for (Row const* row : members) report.cases[row->index].error = e.what();
    }
  }
  return report;
}

}  // namespace voxflow::t1
