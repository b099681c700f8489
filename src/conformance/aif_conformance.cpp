// Runs the population AIF reference files through voxflow::aif::population_aif on the backend of the run
// context.
#include <voxflow/conformance/aif_conformance.hpp>
#include <voxflow/aif/aif_curve.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/io/csv_table.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <vector>

namespace voxflow::conformance {

namespace {

struct AifFileKind {
  aif::PopulationAif aif;
  double seconds_per_time_unit;  // what one unit of the file's time column is in s
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

AifFileKind kind_from_name(std::string const& path) {
  auto const slash = path.find_last_of("/\\");
  std::string const name = lower(slash == std::string::npos ? path : path.substr(slash + 1));
  auto starts = [&](char const* prefix) { return name.rfind(prefix, 0) == 0; };
  if (starts("parker")) return {aif::PopulationAif::parker, units::seconds_per_minute};
  if (starts("georgiou")) return {aif::PopulationAif::georgiou, units::seconds_per_minute};
  if (starts("preclinical")) return {aif::PopulationAif::preclinical, 1.0};
  throw InputError(path, "file name",
                   "a population AIF reference file named Parker*, Georgiou* or preclinical*");
}

struct LabelCase {
  std::string label;
  std::vector<double> times_s, reference;
  std::vector<double> delays_s;
};

// Groups rows by label, keeping the order in which labels first appear.
std::vector<LabelCase> read_cases(io::CsvTable const& table, double seconds_per_unit) {
  bool const has_delay = table.has_column("delay");
  std::vector<LabelCase> cases;
  std::map<std::string, std::size_t> index;
  for (std::size_t row = 0; row < table.rows(); ++row) {
    std::string const& label = table.text(row, "label");
    auto [it, inserted] = index.emplace(label, cases.size());
    if (inserted) cases.push_back(LabelCase{label, {}, {}, {}});
    LabelCase& c = cases[it->second];
    c.times_s.push_back(table.number(row, "time") * seconds_per_unit);
    c.reference.push_back(table.number(row, "Cb"));
    c.delays_s.push_back(has_delay ? table.number(row, "delay") : 0.0);
  }
  return cases;
}

// Evaluates one label on `space`; a case-level problem becomes the case's error.
template <class ExecutionSpace>
CaseResult run_case(ExecutionSpace const& space, AifFileKind const& kind, LabelCase const& c,
                    Tolerance tolerance, std::string const& path) {
  using Mem = typename ExecutionSpace::memory_space;
  CaseResult result;
  result.label = c.label;
  try {
    double const delay = c.delays_s.front();
    require_input(std::all_of(c.delays_s.begin(), c.delays_s.end(), [&](double d) { return d == delay; }),
                  path, "delay", "one delay per label (label '" + c.label + "' has several)");
    std::size_t const n = c.times_s.size();
    Kokkos::View<double*, Kokkos::HostSpace> host_times("voxflow::conformance::aif::times", n);
    for (std::size_t i = 0; i < n; ++i) {
      // Times converted from minutes carry a rounding error of an ulp or so; a time equal to the delay up to
      // that rounding is the arrival itself, where the reference (t >= delay) already takes the curve's
      // value.
      double t = c.times_s[i];
      if (std::fabs(t - delay) <= 1e-12 * std::max(1.0, std::fabs(delay))) t = delay;
      host_times(i) = t;
    }
    auto const times = Kokkos::create_mirror_view_and_copy(Mem(), host_times);
    Kokkos::View<double*, Mem> out(
        Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "voxflow::conformance::aif::cb"), n);
    aif::AifOptions options;
    options.delay_s = delay;
    options.hematocrit = 0.0;
    options.quantity = aif::AifQuantity::blood;
    options.source = path + " (label " + c.label + ")";
    aif::population_aif(space, kind.aif, times, options, out);
    auto const measured = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    for (std::size_t i = 0; i < n; ++i)
      result.checks.push_back(check("Cb[" + std::to_string(i) + "]", c.reference[i], measured(i), tolerance));
  } catch (Error const& e) {
    result.checks.clear();
    result.error = e.what();
  }
  return result;
}

}  // namespace

FileReport run_aif_reference_file(RunContext const& ctx) {
  FileReport report;
  report.relative_path = ctx.relative_path;
  io::CsvTable const table = io::CsvTable::read(ctx.path);
  if (!table.has_column("label") || !table.has_column("time") || !table.has_column("Cb")) {
    // A parameter table (ParkerAIF.csv) documents constants and holds no cases; anything else is malformed.
    require_input(table.has_column("Parameter"), ctx.path, "columns", "label, time, Cb[, delay]");
    return report;
  }
  AifFileKind const kind = kind_from_name(ctx.relative_path.empty() ? ctx.path : ctx.relative_path);
  Tolerance const tolerance = ctx.tolerances != nullptr
                                  ? ctx.tolerances->output(ctx.relative_path, "Cb", {1e-4, 0.01})
                                  : Tolerance{1e-4, 0.01};
  std::vector<LabelCase> const cases = read_cases(table, kind.seconds_per_time_unit);
  dispatch(ctx.backend, [&](auto const& space) {
    for (LabelCase const& c : cases) report.cases.push_back(run_case(space, kind, c, tolerance, ctx.path));
  });
  return report;
}

}  // namespace voxflow::conformance
