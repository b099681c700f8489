// `voxflow conformance --suite DIR`: runs every reference file under DIR that voxflow has a runner for, laid
// out as
// ../shared/reference (t1/, dce/si2conc/, dce/aif/, dce/models/, dce/models_noisefree/, dce/osipy_forward/),
// with the tolerances of DIR/tolerances.json.
#ifndef VOXFLOW_CONFORMANCE_SUITE_HPP
#define VOXFLOW_CONFORMANCE_SUITE_HPP

#include <voxflow/conformance/report.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace voxflow::conformance {

struct SuiteResult {
  std::vector<FileReport> files;
  std::vector<std::string> skipped;  // relative paths of files no runner handles (yet)
  int cases() const;
  int passed() const;
};

// The runner for a file, chosen by its path relative to the suite directory; nullptr when none applies.
using FileRunner = FileReport (*)(RunContext const&);
FileRunner runner_for(std::string const& relative_path);

// Runs every CSV under `suite_dir` (recursively, in sorted order). `on_file` is called after each file.
SuiteResult run_suite(std::string const& suite_dir, Backend backend,
                      void (*on_file)(FileReport const&, void*) = nullptr, void* user = nullptr);

// Every case with reference, measured, tolerance and verdict, as JSON.
void write_json_report(SuiteResult const& result, std::string const& suite_dir, std::ostream& os);

}  // namespace voxflow::conformance

#endif
