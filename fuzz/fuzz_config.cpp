// The YAML run-configuration reader (pipeline/run_config.hpp) on arbitrary text, as a single-subject file and
// as a cohort file, against a schema with a key of every type (the modalities' own schemas need the whole
// engine; what is fuzzed here is the reader, which treats every key by its type only).
#include "harness.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/config_schema.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <cstdint>
#include <string>

namespace {

using namespace voxflow::pipeline;

enum class Shape { round, square };
constexpr voxflow::EnumTable<Shape, 2> shape_names{{{Shape::round, "round"}, {Shape::square, "square"}}};

ConfigSchema const& fuzz_schema(std::string const& modality, std::string const& source) {
  static ConfigSchema const schema = modality_schema(
      "fuzz", "every key type",
      {path_key("inputs.image", "a path"), paths_key("inputs.images", "one path or several"),
       text_key("label", "null", "a text"), number_key("fit.tolerance", "1e-6", "a number", 0.0, 1.0),
       integer_key("fit.max_iterations", "100", "a whole number", 1, 100000),
       flag_key("fit.robust", false, "a flag"), numbers_key("fit.start", "[1, 2]", "numbers"),
       numbers_or_path_key("acquisition.times", "numbers or a file"),
       numbers_or_path_key("acquisition.delay", "a number, numbers or a file", true),
       choice_key("fit.shape", shape_names, Shape::round)});
  if (modality != "fuzz") throw voxflow::ConfigError(source, "modality", "fuzz");
  return schema;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, std::size_t size) {
  std::string const text(reinterpret_cast<char const*>(data), size);
  std::string const path = "/fuzz/config.yaml";
  // A document without `subjects` is read by parse_cohort_config exactly as parse_run_config reads it
  // (load_document, then read_subject_document): one call covers both readers at half the cost of two.
  voxflow::fuzz::accept_voxflow_errors([&] { parse_cohort_config(text, path, {}, fuzz_schema); });
  return 0;
}
