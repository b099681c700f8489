// Results of checking voxflow against reference cases (`voxflow conformance`), and the tolerances they are
// judged by. A case passes iff every listed output satisfies |measured - reference| <= atol + rtol *
// |reference| (the numpy.testing.assert_allclose rule of the original OSIPI tests) and is finite.
#ifndef VOXFLOW_CONFORMANCE_REPORT_HPP
#define VOXFLOW_CONFORMANCE_REPORT_HPP

#include <voxflow/core/backend.hpp>

#include <map>
#include <string>
#include <vector>

namespace voxflow::conformance {

struct Tolerance {
  double atol = 0.0;
  double rtol = 0.0;
};

// One compared quantity of one case (a parameter, or one sample of a curve).
struct OutputCheck {
  std::string name;  // e.g. "Ktrans", "R1", "conc[17]"
  double reference = 0.0;
  double measured = 0.0;
  Tolerance tolerance;
  bool pass = false;
};

struct CaseResult {
  std::string label;
  std::vector<OutputCheck> checks;
  std::string error;  // non-empty when the case could not be run (counts as failed)
  bool pass() const;
};

struct FileReport {
  std::string relative_path;  // relative to the suite directory, '/'-separated
  std::vector<CaseResult> cases;
  int passed() const;
};

// Builds a check with the allclose rule.
OutputCheck check(std::string name, double reference, double measured, Tolerance tolerance);

// Tolerances of a suite, read from DIR/tolerances.json ({"files": {path: {"outputs": {name: {atol, rtol}}}}}
// plus optional "delay_variant" and "forward_model_check" entries). Lookups fall back to the caller's default
// when the file or output is not listed, so suites without a tolerances file still run.
class Tolerances {
 public:
  Tolerances() = default;
  static Tolerances load(std::string const& json_path);  // missing file: empty table; malformed: InputError
  Tolerance output(std::string const& relative_path, std::string const& name, Tolerance fallback) const;
  Tolerance delay_variant(std::string const& relative_path, std::string const& name,
                          Tolerance fallback) const;
  // atol (mM) of a "forward_model_check" entry, or fallback.
  double forward_check_atol(std::string const& relative_path, double fallback) const;

 private:
  std::map<std::string, std::map<std::string, Tolerance>> outputs_, delay_outputs_;
  std::map<std::string, double> forward_atol_;
};

// Everything a reference-file runner needs.
struct RunContext {
  std::string path;           // the file on disk
  std::string relative_path;  // relative to the suite directory
  Tolerances const* tolerances = nullptr;
  Backend backend = Backend::host;  // resolved backend the fits run on
};

}  // namespace voxflow::conformance

#endif
