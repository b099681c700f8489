#include <voxflow/conformance/dsc_conformance.hpp>
#include <voxflow/core/backend.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/dsc/deconvolve.hpp>
#include <voxflow/io/csv_table.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace voxflow::dsc {

using conformance::FileReport;
using conformance::RunContext;

namespace {

struct Maps2 {
  double cbf = 0.0, cbv = 0.0;
};

// CBF and CBV of one tissue curve with one method, on `space`.
template <class ExecutionSpace>
Maps2 deconvolve_case(ExecutionSpace const& space, std::vector<double> const& tissue,
                      std::vector<double> const& aif, double tr_s, DeconvolutionMethod method) {
  using Mem = typename ExecutionSpace::memory_space;
  DeconvolutionOptions options;
  options.method = method;
  options.threshold = default_threshold(method);
  auto const op = build_deconvolution_operator(aif, tr_s, options, "dsc reference case");
  std::vector<double> times(aif.size());
  for (std::size_t j = 0; j < times.size(); ++j) times[j] = static_cast<double>(j) * tr_s;
  PerfusionScaling scaling;
  scaling.aif_integral = trapezoid_integral(times, aif);
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> host("voxflow::dsc::conformance::tissue", 1,
                                                                      tissue.size());
  for (std::size_t j = 0; j < tissue.size(); ++j) host(0, j) = tissue[j];
  auto const curves = upload_series<Mem>(host, "voxflow::dsc::conformance::tissue");
  Maps<Mem> maps("voxflow::dsc::conformance::maps", 1, dsc_map_count);
  StatusMap<Mem> status("voxflow::dsc::conformance::status", 1);
  deconvolve_voxels(space, curves, to_device<Mem>(space, times, "voxflow::dsc::conformance::times"),
                    upload_operator<Mem>(space, op), scaling, maps, status);
  auto const h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), maps);
  return {h(0, cbf), h(0, cbv)};
}

}  // namespace

FileReport run_dsc_reference_file(RunContext const& ctx, std::vector<DeconvolutionMethod> const& methods) {
  auto const table = io::CsvTable::read(ctx.path);
  for (char const* column : {"label", "C_tis", "C_aif", "cbv", "cbf", "tr"})
    require_input(table.has_column(column), table.path(), column,
                  "a column named '" + std::string(column) + "'");
  auto tolerance = [&](char const* name, conformance::Tolerance fallback) {
    return ctx.tolerances != nullptr ? ctx.tolerances->output(ctx.relative_path, name, fallback) : fallback;
  };
  conformance::Tolerance const cbv_tol = tolerance("cbv", {1.0, 0.1}),
                               cbf_tol = tolerance("cbf", {15.0, 0.1});
  FileReport report;
  report.relative_path = ctx.relative_path;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    for (DeconvolutionMethod method : methods) {
      conformance::CaseResult result;
      result.label = table.text(r, "label") + " [" + deconvolution_method_name(method) + "]";
      try {
        auto const tissue = table.numbers(r, "C_tis");
        auto const aif = table.numbers(r, "C_aif");
        require_input(tissue.size() == aif.size(), table.path(), "C_tis (row " + std::to_string(r + 1) + ")",
                      "as many samples as C_aif");
        Maps2 m;
        dispatch(ctx.backend, [&](auto const& space) {
          m = deconvolve_case(space, tissue, aif, table.number(r, "tr"), method);
        });
        result.checks.push_back(conformance::check("cbf", table.number(r, "cbf"), m.cbf, cbf_tol));
        result.checks.push_back(conformance::check("cbv", table.number(r, "cbv"), m.cbv, cbv_tol));
      } catch (Error const& e) {
        result.error = e.what();
      }
      report.cases.push_back(std::move(result));
    }
  }
  return report;
}

}  // namespace voxflow::dsc
