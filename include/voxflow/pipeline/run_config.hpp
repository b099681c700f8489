// A run configuration read once against its modality's schema (config_schema.hpp): every key is present
// (defaults filled in), every value has its declared type, every path is absolute, and every mistake is one
// ConfigError naming the file, the key and what was expected. The keys every modality shares are turned into
// RunSettings here, once; a modality reads its own keys through the typed accessors.
#ifndef VOXFLOW_PIPELINE_RUN_CONFIG_HPP
#define VOXFLOW_PIPELINE_RUN_CONFIG_HPP

#include <voxflow/core/backend.hpp>
#include <voxflow/core/enum_names.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/config_schema.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace voxflow::pipeline {

struct OutputSettings {
  // Every field is read from the configuration; the defaults are the schema's (config_schema.cpp).
  std::string dir;  // absolute
  bool compress{}, hdf5{}, qc{}, overwrite{};
  int compression_level{};  // gzip level of .nii.gz maps (1 fastest .. 12 smallest)
};

// The keys every modality shares.
struct RunSettings {
  std::string subject;  // without "sub-"
  std::string session;  // without "ses-"; empty when none
  // BIDS entities choosing among several series of a BIDS input (run-<label>, acq-<label>); empty when none.
  std::string run, acquisition;
  Backend backend{};
  int threads{};  // 0: OMP_NUM_THREADS or all cores
  OutputSettings output;
};

// Command-line values that replace configuration keys. output_dir is taken as written (the command line
// resolves it against the working directory, not the configuration file).
struct Overrides {
  std::optional<std::string> backend, output_dir;
  std::optional<int> threads;
  bool overwrite = false;
  // Cohorts only: the participants and sessions to run (--participant-label, --session-label), with or
  // without their "sub-"/"ses-" prefix; empty runs all.
  std::vector<std::string> participant_labels, session_labels;
};

class RunConfig {
 public:
  using Value = std::variant<std::monostate, std::string, double, long long, bool, std::vector<double>,
                             std::vector<std::string>>;

  // Built by read_run_config: `values` holds every schema key. `schema` is a modality's (SchemaLookup's),
  // which lives as long as the program: held, not copied, since a cohort holds one RunConfig per subject.
  RunConfig(ConfigSchema const& schema, std::string file, std::map<std::string, Value> values,
            std::string resolved_yaml);

  std::string const& file() const { return file_; }
  std::string const& modality() const { return schema_->modality(); }
  ConfigSchema const& schema() const { return *schema_; }
  RunSettings const& settings() const { return settings_; }
  // The configuration with every default filled in and every path absolute: saved beside the outputs, it
  // reruns to the same maps from any working directory.
  std::string const& resolved_yaml() const { return resolved_yaml_; }

  bool is_list(std::string const& key) const;                     // numbers_or_path keys: given as a list
  std::optional<std::string> text(std::string const& key) const;  // text, choice and path keys
  std::optional<std::vector<std::string>> paths(std::string const& key) const;
  std::optional<double> number(std::string const& key) const;
  std::optional<long long> integer(std::string const& key) const;
  bool flag(std::string const& key) const;
  std::optional<std::vector<double>> numbers(std::string const& key) const;
  // A choice key's value as an enum of the table it was declared with.
  template <class Enum, std::size_t N>
  Enum choice(std::string const& key, EnumTable<Enum, N> const& table) const {
    auto const parsed = parse_enum(table, text(key).value_or(""));
    if (!parsed)
      throw Error(ExitCode::failure, "voxflow::pipeline::RunConfig: '" + key + "' is not a choice key");
    return *parsed;
  }

  // An error about `key` of this configuration: "<file>: <key>: expected <expected>".
  ConfigError error(std::string const& key, std::string const& expected) const;

 private:
  Value const& value(std::string const& key, KeyType type) const;

  ConfigSchema const* schema_;
  std::string file_;
  std::map<std::string, Value> values_;
  RunSettings settings_;
  std::string resolved_yaml_;
};

// Reads `path`: its `modality` key picks the schema (modality_registry.hpp), then every key is checked and
// typed. Does not touch any input file. ConfigError for anything wrong with the file.
RunConfig read_run_config(std::string const& path, Overrides const& overrides = {});

// A configuration of one subject, or a cohort: the same document with `subject` and `inputs` replaced by a
// `subjects` list whose entries each have `id`, `inputs` and optionally `session`; every other key is the
// modality's, shared by all subjects. An entry may also give any modality key of its own (e.g. a per-subject
// `aif: {mask: ...}`), written over the shared one, but not the keys the whole run shares (backend, threads,
// output); inputs written at the top level are shared like any other key.
struct CohortConfig {
  bool is_cohort = false;           // the file has a `subjects` list
  std::vector<RunConfig> subjects;  // one per entry, in file order; a single-subject file gives one
};

// Reads `path` as read_run_config does, one RunConfig per subject (each as if its own single-subject file
// beside the cohort file: relative paths resolve against the cohort file's folder). ConfigError for anything
// wrong with the file, any entry included (the entry named), and for a subject listed twice.
CohortConfig read_cohort_config(std::string const& path, Overrides const& overrides = {});

// The schema of the modality a document names, or ConfigError(source, "modality", ...): find_modality's in
// voxflow (run_config_files.cpp); the fuzz harnesses, which link no modality, give their own. The schema
// returned lives as long as the program (the RunConfigs read with it refer to it).
using SchemaLookup = ConfigSchema const& (*)(std::string const& modality, std::string const& source);

// read_run_config and read_cohort_config on text already in memory (the content of `path`, which names it in
// messages and is the folder relative paths resolve against). At most max_config_bytes; ConfigError for
// anything wrong. 4 MiB holds an explicit list of 10,000 subjects with long BIDS paths (~250 bytes an entry);
// the bound keeps what a hostile file costs to read to seconds (reading is linear in the size).
constexpr std::size_t max_config_bytes = std::size_t{4} << 20;
// "4 MiB", for messages.
std::string max_config_size_text();
RunConfig parse_run_config(std::string const& text, std::string const& path, Overrides const& overrides,
                           SchemaLookup schema_of);
CohortConfig parse_cohort_config(std::string const& text, std::string const& path, Overrides const& overrides,
                                 SchemaLookup schema_of);

}  // namespace voxflow::pipeline

#endif
