#include <voxflow/conformance/aif_conformance.hpp>
#include <voxflow/conformance/asl_conformance.hpp>
#include <voxflow/conformance/dce_conformance.hpp>
#include <voxflow/conformance/dsc_conformance.hpp>
#include <voxflow/conformance/ivim_conformance.hpp>
#include <voxflow/conformance/suite.hpp>
#include <voxflow/conformance/t1_conformance.hpp>
#include <voxflow/core/errors.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace voxflow::conformance {

namespace fs = std::filesystem;

int SuiteResult::cases() const {
  int n = 0;
  for (auto const& f : files) n += static_cast<int>(f.cases.size());
  return n;
}

int SuiteResult::passed() const {
  int n = 0;
  for (auto const& f : files) n += f.passed();
  return n;
}

namespace {
bool starts_with(std::string const& s, std::string const& prefix) {
  return s.rfind(prefix, 0) == 0;
}
}  // namespace

FileReport run_t1_file(RunContext const& ctx) {
  return t1::run_t1_reference_file(ctx);
}  // default method

FileReport run_dsc_file(RunContext const& ctx) {
  return dsc::run_dsc_reference_file(ctx);
}  // every method

FileRunner runner_for(std::string const& relative_path) {
  if (starts_with(relative_path, "t1/")) return run_t1_file;
  if (starts_with(relative_path, "dce/aif/")) return run_aif_reference_file;
  if (starts_with(relative_path, "dce/si2conc/")) return dce::run_si2conc_reference_file;
  if (starts_with(relative_path, "dce/models/") || starts_with(relative_path, "dce/models_noisefree/"))
    return dce::run_model_reference_file;
  if (starts_with(relative_path, "dce/osipy_forward/")) return dce::run_forward_reference_file;
  if (relative_path == "asl/osipy_dro/plds.csv") return run_asl_dro_file;
  if (starts_with(relative_path, "ivim/generic")) return ivim::run_ivim_reference_file;
  if (starts_with(relative_path, "dsc/")) return run_dsc_file;
  return nullptr;
}

SuiteResult run_suite(std::string const& suite_dir, Backend backend,
                      void (*on_file)(FileReport const&, void*), void* user) {
  std::error_code ec;
  if (!fs::is_directory(suite_dir, ec))
    throw InputError(suite_dir, "--suite", "a directory of reference cases");
  Tolerances const tolerances = Tolerances::load(suite_dir + "/tolerances.json");
  std::vector<std::string> files;
  for (auto const& entry : fs::recursive_directory_iterator(suite_dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".csv") continue;
    files.push_back(fs::relative(entry.path(), suite_dir).generic_string());
  }
  std::sort(files.begin(), files.end());
  SuiteResult result;
  for (auto const& relative : files) {
    FileRunner const runner = runner_for(relative);
    if (runner == nullptr) {
      result.skipped.push_back(relative);
      continue;
    }
    RunContext const ctx{(fs::path(suite_dir) / relative).string(), relative, &tolerances, backend};
    FileReport report;
    try {
      report = runner(ctx);
    } catch (Error const& e) {  // a file that cannot be read at all is one failed case, and the suite goes on
      report.relative_path = relative;
      report.cases.push_back(CaseResult{"<file>", {}, e.what()});
    }
    if (report.cases.empty() && runner != nullptr) {
      // Files without cases (a parameter table) are not reported.
      continue;
    }
    if (on_file != nullptr) on_file(report, user);
    result.files.push_back(std::move(report));
  }
  return result;
}

void write_json_report(SuiteResult const& result, std::string const& suite_dir, std::ostream& os) {
  nlohmann::json doc;
  doc["suite"] = suite_dir;
  doc["cases"] = result.cases();
  doc["passed"] = result.passed();
  doc["failed"] = result.cases() - result.passed();
  doc["skipped_files"] = result.skipped;
  doc["files"] = nlohmann::json::array();
  for (auto const& f : result.files) {
    nlohmann::json jf;
    jf["path"] = f.relative_path;
    jf["passed"] = f.passed();
    jf["cases"] = nlohmann::json::array();
    for (auto const& c : f.cases) {
      nlohmann::json jc;
      jc["label"] = c.label;
      jc["pass"] = c.pass();
      if (!c.error.empty()) jc["error"] = c.error;
      jc["checks"] = nlohmann::json::array();
      for (auto const& k : c.checks) {
        // NaN is not JSON: a non-finite measurement is written as null.
        auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
        jc["checks"].push_back({{"name", k.name},
                                {"reference", number(k.reference)},
                                {"measured", number(k.measured)},
                                {"atol", k.tolerance.atol},
                                {"rtol", k.tolerance.rtol},
                                {"pass", k.pass}});
      }
      jf["cases"].push_back(std::move(jc));
    }
    doc["files"].push_back(std::move(jf));
  }
  os << doc.dump(1) << "\n";
}

}  // namespace voxflow::conformance
