#include <voxflow/asl/quantify_asl.hpp>
#include <voxflow/conformance/asl_conformance.hpp>
#include <voxflow/core/backend.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/io/csv_table.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

namespace voxflow::conformance {

namespace fs = std::filesystem;

namespace {

// A raw little-endian map of the DRO (shape from its .json sidecar), widened to double.
template <class T>
std::vector<double> read_map(fs::path const& folder, std::string const& stem, std::string const& extension,
                             std::array<std::size_t, 3>& shape) {
  std::string const json_path = (folder / (stem + ".json")).string();
  std::ifstream json(json_path);
  require_input(json.good(), json_path, "shape", "the DRO map's JSON sidecar");
  nlohmann::json doc;
  try {
    json >> doc;
    for (std::size_t d = 0; d < 3; ++d) shape[d] = doc.at("shape").at(d).get<std::size_t>();
  } catch (nlohmann::json::exception const& e) {
    throw InputError(json_path, "shape", std::string("[nx, ny, nz] (") + e.what() + ")");
  }
  std::size_t const n = shape[0] * shape[1] * shape[2];
  std::string const path = (folder / (stem + extension)).string();
  std::ifstream in(path, std::ios::binary);
  std::vector<T> raw(n);
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(n * sizeof(T)));
  require_input(in.gcount() == static_cast<std::streamsize>(n * sizeof(T)), path, "data",
                std::to_string(n) + " values of " + std::to_string(sizeof(T)) + " bytes");
  return std::vector<double>(raw.begin(), raw.end());
}

}  // namespace

FileReport run_asl_dro_file(RunContext const& ctx) {
  FileReport report;
  report.relative_path = ctx.relative_path;
  fs::path const folder = fs::path(ctx.path).parent_path();
  io::CsvTable const table = io::CsvTable::read(ctx.path);
  std::vector<double> plds;
  for (std::size_t r = 0; r < table.rows(); ++r) plds.push_back(table.number(r, "pld_s"));
  std::array<std::size_t, 3> shape{};
  auto const cbf = read_map<double>(folder, "cbf_k0-5", ".f64", shape);
  auto const att = read_map<double>(folder, "att_k0-5", ".f64", shape);
  auto const m0 = read_map<double>(folder, "m0_k0-5", ".f64", shape);
  auto const mask = read_map<unsigned char>(folder, "mask_k0-5", ".u8", shape);

  // Two label/control pairs per delay: control 0.9 M0, label = control − M0 ΔM/M0.
  asl::AslConstants const c;
  int const repeats = 2;
  asl::DifferencePlan plan;
  plan.group_pld_s = plds;
  for (std::size_t g = 0; g < plds.size(); ++g)
    for (int r = 0; r < repeats; ++r) {
      plan.control.push_back(static_cast<int>(2 * (g * repeats + r)));
      plan.label.push_back(static_cast<int>(2 * (g * repeats + r) + 1));
      plan.group.push_back(static_cast<int>(g));
    }
  std::vector<std::size_t> brain;
  for (std::size_t i = 0; i < mask.size(); ++i)
    if (mask[i] > 0) brain.push_back(i);
  std::size_t const volumes = plan.control.size() * 2;
  Kokkos::View<double**, Kokkos::HostSpace> series("voxflow::conformance::asl::series", brain.size(),
                                                   volumes);
  std::vector<double> brain_m0;
  for (std::size_t v = 0; v < brain.size(); ++v) {
    std::size_t const i = brain[v];
    brain_m0.push_back(m0[i]);
    for (std::size_t k = 0; k < plan.control.size(); ++k) {
      double const pld = plds[static_cast<std::size_t>(plan.group[k])];
      series(v, static_cast<std::size_t>(plan.control[k])) = 0.9 * m0[i];
      series(v, static_cast<std::size_t>(plan.label[k])) =
          0.9 * m0[i] - m0[i] * reference_delta_m(c, pld, cbf[i], att[i]);
    }
  }
  Tolerance const fallback{0.0, 1e-4};
  Tolerance const cbf_tol =
      ctx.tolerances ? ctx.tolerances->output(ctx.relative_path, "CBF", fallback) : fallback;
  Tolerance const att_tol =
      ctx.tolerances ? ctx.tolerances->output(ctx.relative_path, "ATT", fallback) : fallback;
  dispatch(ctx.backend, [&](auto const& space) {
    using Mem = typename std::decay_t<decltype(space)>::memory_space;
    double const cbf_bounds[2] = {0.0, 250.0}, att_bounds[2] = {0.0, 4.0};
    auto const device_plan = asl::make_asl_plan<Mem>(space, plan, c, asl::AslMethod::multi_pld, cbf_bounds,
                                                     att_bounds, fit::LMOptions{}, ctx.path);
    auto const data = upload_series<Mem>(series, "voxflow::conformance::asl::series");
    auto const m0_device = to_device<Mem>(space, brain_m0, "voxflow::conformance::asl::m0");
    auto const columns = asl::asl_columns(asl::AslMethod::multi_pld);
    auto const values =
        allocate<Maps<Mem>>(space, "voxflow::conformance::asl::values", brain.size(), columns.count);
    auto const status = allocate<StatusMap<Mem>>(space, "voxflow::conformance::asl::status", brain.size());
    asl::quantify_asl(space, data, m0_device, device_plan, values, status);
    auto const measured = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), values);
    for (std::size_t v = 0; v < brain.size(); ++v) {
      std::size_t const i = brain[v];
      CaseResult result;
      result.label = "i" + std::to_string(i / (shape[1] * shape[2])) + "_j" +
                     std::to_string(i / shape[2] % shape[1]) + "_k" + std::to_string(i % shape[2]);
      result.checks.push_back(check("CBF", cbf[i], measured(v, columns.cbf), cbf_tol));
      result.checks.push_back(check("ATT", att[i], measured(v, columns.att), att_tol));
      report.cases.push_back(std::move(result));
    }
  });
  return report;
}

}  // namespace voxflow::conformance
