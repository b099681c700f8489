#include "app_support.hpp"

#include <voxflow/conformance/suite.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>

#include <iostream>
#include <sstream>

namespace voxflow::app {

namespace {
void print_file(conformance::FileReport const& f, void*) {
  std::cout << f.relative_path << ": passed " << f.passed() << "/" << f.cases.size() << std::endl;
  for (auto const& c : f.cases) {
    if (c.pass()) continue;
    std::cout << "  FAILED " << c.label;
    if (!c.error.empty()) std::cout << ": " << c.error;
    int shown = 0;
    for (auto const& k : c.checks) {
      if (k.pass || shown++ >= 4) continue;
      std::cout << "  [" << k.name << " ref " << k.reference << " got " << k.measured << "]";
    }
    std::cout << "\n";
  }
}
}  // namespace

int run_conformance(std::string const& suite_dir, std::string const& report_path, Backend backend) {
  auto const result = conformance::run_suite(suite_dir, backend, print_file, nullptr);
  for (auto const& s : result.skipped) std::cout << s << ": skipped (no runner for this kind of file yet)\n";
  if (!report_path.empty()) {
    std::ostringstream report;
    conformance::write_json_report(result, suite_dir, report);
    io::write_text_atomically(report_path, report.str());
  }
  int const failed = result.cases() - result.passed();
  std::cout << result.passed() << " passed, " << failed << " failed" << std::endl;
  return failed == 0 ? 0 : static_cast<int>(ExitCode::failure);
}

}  // namespace voxflow::app
