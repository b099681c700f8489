#include <voxflow/conformance/report.hpp>
#include <voxflow/core/errors.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace voxflow::conformance {

bool CaseResult::pass() const {
  if (!error.empty() || checks.empty()) return false;
  for (auto const& c : checks)
    if (!c.pass) return false;
  return true;
}

int FileReport::passed() const {
  int n = 0;
  for (auto const& c : cases) n += c.pass() ? 1 : 0;
  return n;
}

OutputCheck check(std::string name, double reference, double measured, Tolerance tolerance) {
  OutputCheck c{std::move(name), reference, measured, tolerance, false};
  c.pass = std::isfinite(measured) && std::isfinite(reference) &&
           std::fabs(measured - reference) <= tolerance.atol + tolerance.rtol * std::fabs(reference);
  return c;
}

namespace {

std::map<std::string, Tolerance> read_outputs(nlohmann::json const& outputs, std::string const& where) {
  std::map<std::string, Tolerance> table;
  for (auto const& [name, spec] : outputs.items()) {
    if (!spec.is_object() || !spec.contains("atol") || !spec.contains("rtol") || !spec["atol"].is_number() ||
        !spec["rtol"].is_number())
      throw InputError(where, "outputs." + name, "an object with numeric \"atol\" and \"rtol\"");
    table[name] = Tolerance{spec["atol"].get<double>(), spec["rtol"].get<double>()};
  }
  return table;
}

}  // namespace

Tolerances Tolerances::load(std::string const& json_path) {
  Tolerances t;
  std::ifstream in(json_path);
  if (!in) return t;
  nlohmann::json doc;
  try {
    in >> doc;
  } catch (nlohmann::json::exception const& e) {
    throw InputError(json_path, "", std::string("valid JSON (") + e.what() + ")");
  }
  if (!doc.contains("files") || !doc["files"].is_object())
    throw InputError(json_path, "files", "an object mapping reference-file paths to tolerances");
  for (auto const& [path, entry] : doc["files"].items()) {
    if (!entry.is_object()) continue;
    std::string const where = json_path + ": files." + path;
    if (entry.contains("outputs")) t.outputs_[path] = read_outputs(entry["outputs"], where);
    if (entry.contains("delay_variant") && entry["delay_variant"].contains("outputs"))
      t.delay_outputs_[path] = read_outputs(entry["delay_variant"]["outputs"], where + ".delay_variant");
    if (entry.contains("forward_model_check") && entry["forward_model_check"].contains("atol_mM"))
      t.forward_atol_[path] = entry["forward_model_check"]["atol_mM"].get<double>();
  }
  return t;
}

namespace {
Tolerance lookup(std::map<std::string, std::map<std::string, Tolerance>> const& table,
                 std::string const& path, std::string const& name, Tolerance fallback) {
  auto const file = table.find(path);
  if (file == table.end()) return fallback;
  auto const out = file->second.find(name);
  return out == file->second.end() ? fallback : out->second;
}
}  // namespace

Tolerance Tolerances::output(std::string const& relative_path, std::string const& name,
                             Tolerance fallback) const {
  return lookup(outputs_, relative_path, name, fallback);
}

Tolerance Tolerances::delay_variant(std::string const& relative_path, std::string const& name,
                                    Tolerance fallback) const {
  return lookup(delay_outputs_, relative_path, name, fallback);
}

double Tolerances::forward_check_atol(std::string const& relative_path, double fallback) const {
  auto const it = forward_atol_.find(relative_path);
  return it == forward_atol_.end() ? fallback : it->second;
}

}  // namespace voxflow::conformance
