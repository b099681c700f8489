// Reading a run configuration: YAML text → checked against the modality's schema → typed values with
// defaults and absolute paths. yaml-cpp is used only here; everything after this file sees typed values.
#include <voxflow/cohort/subject_source.hpp>
#include <voxflow/core/excerpt.hpp>
#include <voxflow/pipeline/run_config.hpp>
#include <voxflow/pipeline/yaml_expansion.hpp>

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <sstream>

namespace voxflow::pipeline {

namespace fs = std::filesystem;

namespace {

// A value as an error message shows it: short, and only printable characters.
std::string describe(YAML::Node const& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "'" + excerpt(n.Scalar()) + "'";
}

// A key of the user's document as messages name it (a key may be any text, a megabyte of binary included).
std::string key_name(YAML::Node const& key) {
  return key.IsScalar() ? excerpt(key.Scalar()) : describe(key);
}

std::string line_of(YAML::Node const& n) {
  return "line " + std::to_string(n.Mark().line + 1);
}

// yaml-cpp keeps every entry of a mapping, so a key written twice is seen here (and nowhere else).
void reject_duplicate_keys(YAML::Node const& node, std::string const& prefix, std::string const& file) {
  if (node.IsSequence())
    for (auto const& item : node) reject_duplicate_keys(item, prefix, file);
  if (!node.IsMap()) return;
  std::map<std::string, YAML::Node> seen;
  for (auto const& kv : node) {
    std::string const key = kv.first.Scalar();
    std::string const full = prefix.empty() ? key_name(kv.first) : prefix + "." + key_name(kv.first);
    auto const [it, inserted] = seen.emplace(key, kv.first);
    if (!inserted)
      throw ConfigError(
          file, full, "each key once, but it is on " + line_of(it->second) + " and on " + line_of(kv.first));
    reject_duplicate_keys(kv.second, full, file);
  }
}

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class ValueReader {
 public:
  ValueReader(std::string file, std::string base_dir)
      : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

  // The typed value of `node` for `spec`; `node` is not null. Paths are resolved against the configuration
  // file's folder, and `resolved` receives the node as the resolved copy writes it.
  RunConfig::Value read(KeySpec const& spec, YAML::Node const& node, YAML::Node& resolved) const {
    resolved = YAML::Clone(node);
    switch (spec.type) {
      case KeyType::text:
        return scalar(spec, node, "a single value");
      case KeyType::path: {
        std::string const p = resolve(scalar(spec, node, "a path"));
        resolved = YAML::Node(p);
        return p;
      }
      case KeyType::paths: {
        std::vector<std::string> paths;
        if (node.IsSequence()) {
          for (auto const& item : node)
            paths.push_back(resolve(scalar(spec, item, "a path or a list of paths")));
        } else {
          paths.push_back(resolve(scalar(spec, node, "a path or a list of paths")));
        }
        resolved = YAML::Node(YAML::NodeType::Sequence);
        for (auto const& p : paths) resolved.push_back(p);
        return paths;
      }
      case KeyType::number:
        return number(spec, node, "a number");
      case KeyType::integer:
        return integer(spec, node);
      case KeyType::flag: {
        try {
          if (node.IsScalar()) return node.as<bool>();
        } catch (YAML::Exception const&) {
        }
        fail(spec, node, "true or false");
      }
      case KeyType::numbers:
        return numbers(spec, node);
      case KeyType::numbers_or_path:
        if (node.IsSequence()) return numbers(spec, node);
        if (spec.single_number && node.IsScalar()) {
          double v = 0.0;
          if (YAML::convert<double>::decode(node, v))
            return std::vector<double>{
                number(spec, node, "a number, a list of numbers or a text file of them")};
        }
        {
          std::string const p = resolve(scalar(spec, node, "a list of numbers or a text file of them"));
          resolved = YAML::Node(p);
          return p;
        }
      case KeyType::choice: {
        std::string const word = scalar(spec, node, "one of " + spec.choice_list);
        // Choices are matched without regard to case and written as declared.
        for (auto const& choice : spec.choices)
          if (lowercase(choice) == lowercase(word)) {
            resolved = YAML::Node(choice);
            return choice;
          }
        fail(spec, node, "one of " + spec.choice_list);
      }
    }
    fail(spec, node, "a known kind of value");
  }

  [[noreturn]] void fail(KeySpec const& spec, YAML::Node const& node, std::string const& expected) const {
    throw ConfigError(file_, spec.key, expected + ", found " + describe(node));
  }

 private:
  std::string scalar(KeySpec const& spec, YAML::Node const& node, std::string const& expected) const {
    if (!node.IsScalar()) fail(spec, node, expected);
    return node.Scalar();
  }

  std::string resolve(std::string const& text) const {
    fs::path const p(text);
    return p.is_absolute() ? p.lexically_normal().string()
                           : (fs::path(base_dir_) / p).lexically_normal().string();
  }

  double number(KeySpec const& spec, YAML::Node const& node, std::string const& expected) const {
    double v = 0.0;
    try {
      if (!node.IsScalar()) fail(spec, node, expected);
      v = node.as<double>();
    } catch (YAML::Exception const&) {
      fail(spec, node, expected);
    }
    if (!std::isfinite(v)) fail(spec, node, "a finite number");
    if (v < spec.min || v > spec.max) fail(spec, node, expected + " in " + range(spec));
    return v;
  }

  long long integer(KeySpec const& spec, YAML::Node const& node) const {
    long long v = 0;
    try {
      if (!node.IsScalar()) fail(spec, node, "a whole number");
      v = node.as<long long>();
    } catch (YAML::Exception const&) {
      fail(spec, node, "a whole number in " + range(spec));
    }
    if (static_cast<double>(v) < spec.min || static_cast<double>(v) > spec.max)
      fail(spec, node, "a whole number in " + range(spec));
    return v;
  }

  std::vector<double> numbers(KeySpec const& spec, YAML::Node const& node) const {
    std::string const expected = "a list of numbers such as [1, 2]";
    if (!node.IsSequence()) fail(spec, node, expected);
    std::vector<double> values;
    for (auto const& item : node) values.push_back(number(spec, item, expected));
    return values;
  }

  static std::string range(KeySpec const& spec) {
    auto text = [](double v) {
      std::ostringstream out;
      out << v;
      return out.str();
    };
    return "[" + text(spec.min) + ", " + text(spec.max) + "]";
  }

  std::string file_, base_dir_;
};

// Walks the user's document against the schema: unknown keys, sections given as something else than a
// mapping (a null section included) and values of the wrong type are errors.
void read_section(YAML::Node const& node, std::string const& section, ConfigSchema const& schema,
                  ValueReader const& reader, std::string const& file,
                  std::map<std::string, RunConfig::Value>& values,
                  std::map<std::string, YAML::Node>& resolved) {
  for (auto const& kv : node) {
    std::string const name = kv.first.Scalar();
    std::string const key = section.empty() ? name : section + "." + name;
    std::string const shown = section.empty() ? key_name(kv.first) : section + "." + key_name(kv.first);
    if (auto const* spec = schema.find(key)) {
      if (kv.second.IsNull()) continue;  // written without a value: the default applies
      values[key] = reader.read(*spec, kv.second, resolved[key]);
    } else if (schema.is_section(key)) {
      if (!kv.second.IsMap())
        throw ConfigError(
            file, key,
            "a mapping of '" + key + "' keys (indented under '" + name + ":'), found " + describe(kv.second));
      read_section(kv.second, key, schema, reader, file, values, resolved);
    } else {
      // Keys are short: a long one is no misspelling worth a (quadratic) edit distance.
      std::string const suggestion =
          name.size() <= 64 ? did_you_mean(name, schema.children(section)) : std::string();
      throw ConfigError(file, shown,
                        "a known key" + (suggestion.empty() ? std::string(" (see `voxflow dump-defaults " +
                                                                          schema.modality() + "`)")
                                                            : " — did you mean '" + suggestion + "'?"));
    }
  }
}

// The resolved copy in schema order, sections as mappings.
std::string emit_resolved(ConfigSchema const& schema, std::map<std::string, YAML::Node> const& resolved) {
  YAML::Node root(YAML::NodeType::Map);
  for (auto const& spec : schema.keys()) {
    if (spec.scheduling) continue;
    auto const dot = spec.key.find('.');
    YAML::Node const& value = resolved.at(spec.key);
    if (dot == std::string::npos) {
      root[spec.key] = value;
    } else {
      root[spec.key.substr(0, dot)][spec.key.substr(dot + 1)] = value;
    }
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::string strip_prefix(std::string value, std::string const& prefix) {
  if (value.rfind(prefix, 0) == 0) value.erase(0, prefix.size());
  return value;
}

bool is_bids_label(std::string const& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

RunConfig::RunConfig(ConfigSchema const& schema, std::string file, std::map<std::string, Value> values,
                     std::string resolved_yaml)
    : schema_(&schema),
      file_(std::move(file)),
      values_(std::move(values)),
      resolved_yaml_(std::move(resolved_yaml)) {
  settings_.subject = strip_prefix(*text("subject"), "sub-");
  settings_.session = strip_prefix(text("session").value_or(""), "ses-");
  if (!is_bids_label(settings_.subject))
    throw error("subject", "a BIDS label of letters and digits, e.g. sub-01");
  if (!settings_.session.empty() && !is_bids_label(settings_.session))
    throw error("session", "a BIDS label of letters and digits, e.g. ses-01");
  settings_.run = strip_prefix(text("run").value_or(""), "run-");
  settings_.acquisition = strip_prefix(text("acq").value_or(""), "acq-");
  for (auto const& [key, label] : {std::pair{"run", settings_.run}, std::pair{"acq", settings_.acquisition}})
    if (!label.empty() && !is_bids_label(label))
      throw error(key, "a BIDS label of letters and digits, e.g. " + std::string(key) + "-01");
  settings_.backend = choice("backend", backend_names);
  settings_.threads = static_cast<int>(*integer("threads"));
  settings_.output.dir = *text("output.dir");
  settings_.output.compress = flag("output.compress");
  settings_.output.compression_level = static_cast<int>(*integer("output.compression_level"));
  settings_.output.hdf5 = flag("output.hdf5");
  settings_.output.qc = flag("output.qc");
  settings_.output.overwrite = flag("output.overwrite");
}

RunConfig::Value const& RunConfig::value(std::string const& key, KeyType type) const {
  auto const* spec = schema_->find(key);
  bool const compatible =
      spec != nullptr &&
      (spec->type == type ||
       (type == KeyType::text && (spec->type == KeyType::path || spec->type == KeyType::choice ||
                                  spec->type == KeyType::numbers_or_path)) ||
       (type == KeyType::numbers && spec->type == KeyType::numbers_or_path));
  if (!compatible)
    throw Error(ExitCode::failure, "voxflow::pipeline::RunConfig: no key '" + key +
                                       "' of the requested type in the " + schema_->modality() + " schema");
  return values_.at(key);
}

bool RunConfig::is_list(std::string const& key) const {
  return std::holds_alternative<std::vector<double>>(values_.at(key));
}

std::optional<std::string> RunConfig::text(std::string const& key) const {
  auto const& v = value(key, KeyType::text);
  if (auto const* s = std::get_if<std::string>(&v)) return *s;
  return std::nullopt;
}

std::optional<std::vector<std::string>> RunConfig::paths(std::string const& key) const {
  auto const& v = value(key, KeyType::paths);
  if (auto const* s = std::get_if<std::vector<std::string>>(&v)) return *s;
  return std::nullopt;
}

std::optional<double> RunConfig::number(std::string const& key) const {
  auto const& v = value(key, KeyType::number);
  if (auto const* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

std::optional<long long> RunConfig::integer(std::string const& key) const {
  auto const& v = value(key, KeyType::integer);
  if (auto const* i = std::get_if<long long>(&v)) return *i;
  return std::nullopt;
}

bool RunConfig::flag(std::string const& key) const {
  return std::get<bool>(value(key, KeyType::flag));
}

std::optional<std::vector<double>> RunConfig::numbers(std::string const& key) const {
  auto const& v = value(key, KeyType::numbers);
  if (auto const* list = std::get_if<std::vector<double>>(&v)) return *list;
  return std::nullopt;
}

std::string max_config_size_text() {
  return std::to_string(max_config_bytes >> 20) + " MiB";
}

ConfigError RunConfig::error(std::string const& key, std::string const& expected) const {
  return ConfigError(file_, key, expected);
}

namespace {

// Values (scalars, lists, mappings), aliases expanded: yaml-cpp holds ~500 bytes per value, so this bounds
// what a file costs in memory to ~0.5 GB (a 4 MiB flow list of 2 M values took 1 GB), while a 10,000-subject
// cohort has ~150,000.
constexpr std::size_t max_config_nodes = std::size_t{1} << 20;

// The document `text` of `path`, parsed, a mapping, each key once.
YAML::Node load_document(std::string const& text, std::string const& path) {
  if (text.size() > max_config_bytes)
    throw ConfigError(path, "",
                      "a configuration file of at most " + max_config_size_text() + ", found " +
                          std::to_string(text.size()) + " bytes");
  YAML::Node root;
  try {
    // Before the tree is loaded and walked: every walk visits an aliased node once per alias.
    YamlExpansion const expansion = expanded_yaml_nodes(text, max_config_nodes);
    if (expansion.cyclic)
      throw ConfigError(path, "", "YAML without an alias (*name) inside the value of its own anchor (&name)");
    if (expansion.nodes > max_config_nodes)
      throw ConfigError(path, "",
                        "a configuration of at most " + std::to_string(max_config_nodes) +
                            " values with its aliases (*name) expanded, found more");
    root = YAML::Load(text);
  } catch (YAML::Exception const& e) {
    throw ConfigError(path, "line " + std::to_string(e.mark.line + 1), "valid YAML (" + e.msg + ")");
  }
  if (!root.IsMap() && !root.IsNull())
    throw ConfigError(path, "", "a YAML mapping of keys to values at the top level");
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  reject_duplicate_keys(root, "", path);
  return root;
}

// Every key's default, parsed once for all subjects of a file: parsing them again per subject was a fifth of
// reading a 10,000-subject cohort. The nodes are only ever cloned out: assigning one into a subject's tree
// would merge yaml-cpp's records of every subject's tree into the next one's (quadratic reading).
class SchemaDefaults {
 public:
  YAML::Node const& of(KeySpec const& spec) {
    auto const [it, inserted] = nodes_.try_emplace(&spec);
    if (inserted) it->second = YAML::Load(spec.default_yaml);
    return it->second;
  }

 private:
  std::map<KeySpec const*, YAML::Node> nodes_;  // schemas live as long as the program (SchemaLookup)
};

// One subject's document, read from `path`, checked and typed.
RunConfig read_subject_document(YAML::Node const& root, std::string const& path, Overrides const& overrides,
                                SchemaLookup schema_of, SchemaDefaults& defaults) {
  YAML::Node const modality = root["modality"];
  if (!modality || !modality.IsScalar())
    throw ConfigError(path, "modality",
                      "the modality of the run, e.g. 'modality: dce', found " + describe(modality));
  ConfigSchema const& schema = schema_of(modality.Scalar(), path);

  std::error_code ec;
  std::string const base_dir = fs::absolute(path, ec).parent_path().string();
  ValueReader const reader(path, base_dir);
  std::map<std::string, RunConfig::Value> values;
  std::map<std::string, YAML::Node> resolved;
  read_section(root, "", schema, reader, path, values, resolved);

  // Command-line values, checked like the file's own.
  auto set = [&](std::string const& key, std::string const& value) {
    YAML::Node const node(value);
    values[key] = reader.read(*schema.find(key), node, resolved[key]);
  };
  if (overrides.backend) set("backend", *overrides.backend);
  if (overrides.output_dir) set("output.dir", *overrides.output_dir);
  if (overrides.threads) set("threads", std::to_string(*overrides.threads));
  if (overrides.overwrite) set("output.overwrite", "true");

  // Defaults, written once in the schema, fill in the rest.
  for (auto const& spec : schema.keys()) {
    if (values.count(spec.key)) continue;
    YAML::Node const& node = defaults.of(spec);
    if (node.IsNull()) {
      values[spec.key] = std::monostate{};
      resolved[spec.key] = YAML::Clone(node);
    } else {
      values[spec.key] = reader.read(spec, node, resolved[spec.key]);
    }
  }
  return RunConfig(schema, path, std::move(values), emit_resolved(schema, resolved));
}

constexpr char const* cohort_entry_form =
    "a mapping with 'id' (a BIDS subject label), 'inputs' (the modality's input keys), optionally 'session' "
    "and "
    "any of the modality's own keys that differ between subjects";

// Keys one cohort run shares by its nature: one execution space and thread pool, one output folder (and so
// one ledger), one way of distributing subjects.
bool is_cohort_wide(std::string const& key) {
  return key == "modality" || key == "subject" || key == "subjects" || key == "backend" || key == "threads" ||
         key == "output" || key == "cohort";
}

// Writes `source` over `target`, mapping into mapping, so that an entry's `aif: {mask: ...}` replaces the
// shared aif.mask and keeps the other shared aif keys.
void merge_over(YAML::Node target, YAML::Node const& source) {
  for (auto const& kv : source) {
    std::string const key = kv.first.Scalar();
    YAML::Node existing = target[key];
    if (kv.second.IsMap() && existing && existing.IsMap())
      merge_over(existing, kv.second);
    else
      target[key] = YAML::Clone(kv.second);
  }
}

// Cohort entry `index` (0-based) checked, and the subject (and session) it names: its own `session` or the
// shared one.
cohort::FoundSubject cohort_entry_subject(YAML::Node const& root, YAML::Node const& entry, std::size_t index,
                                          std::string const& path) {
  std::string const field = "subjects[" + std::to_string(index + 1) + "]";
  if (!entry.IsMap())
    throw ConfigError(path, field, std::string(cohort_entry_form) + ", found " + describe(entry));
  YAML::Node const id = entry["id"];
  if (!id || !id.IsScalar())
    throw ConfigError(path, field + ".id",
                      "the subject's BIDS label, e.g. 'id: sub-01', found " + describe(id));
  YAML::Node const inputs = entry["inputs"];
  if (inputs && !inputs.IsMap())
    throw ConfigError(
        path, field + ".inputs",
        "a mapping of the modality's input keys, e.g. {concentration: sub-01/conc.nii.gz}, found " +
            describe(inputs));
  for (auto const& kv : entry) {
    std::string const key = kv.first.Scalar();
    if (key != "id" && is_cohort_wide(key))
      throw ConfigError(path, field + "." + excerpt(key),
                        "'" + key + "' once for the whole cohort, at the top level, not in a subject entry");
  }
  YAML::Node const session = entry["session"] ? entry["session"] : root["session"];
  return {id.Scalar(), session && session.IsScalar() ? session.Scalar() : "", ""};
}

// The single-subject document of a checked cohort entry: the shared keys, with `subject` from the entry and
// the entry's own keys (its inputs above all) written over the shared ones. Everything taken from the file's
// tree is cloned: assigning one of its nodes merges yaml-cpp's record of every node of the file into the
// new document, a pass over the whole cohort per entry (reading a cohort was quadratic in its size).
YAML::Node subject_document(YAML::Node const& root, YAML::Node const& entry) {
  YAML::Node doc(YAML::NodeType::Map);
  for (auto const& kv : root)
    if (kv.first.Scalar() != "subjects") doc[kv.first.Scalar()] = YAML::Clone(kv.second);
  doc["subject"] = entry["id"].Scalar();
  YAML::Node own(YAML::NodeType::Map);
  for (auto const& kv : entry)
    if (kv.first.Scalar() != "id") own[kv.first.Scalar()] = YAML::Clone(kv.second);
  merge_over(doc, own);
  return doc;
}

// A label filter of a subject source: one label or a list of them.
std::vector<std::string> labels_of(YAML::Node const& node, std::string const& path,
                                   std::string const& field) {
  std::vector<std::string> labels;
  if (node.IsScalar()) labels.push_back(node.Scalar());
  for (std::size_t i = 0; node.IsSequence() && i < node.size(); ++i) {
    if (!node[i].IsScalar())
      throw ConfigError(path, field,
                        "a label or a list of labels, e.g. [01, 02], found " + describe(node[i]));
    labels.push_back(node[i].Scalar());
  }
  if (labels.empty())
    throw ConfigError(path, field, "a label or a list of labels, e.g. [01, 02], found " + describe(node));
  return labels;
}

// `node` with {id}, {session} and {match} filled in at every string.
YAML::Node filled(YAML::Node const& node, cohort::FoundSubject const& subject) {
  if (node.IsScalar()) return YAML::Node(cohort::fill_placeholders(node.Scalar(), subject));
  YAML::Node out = YAML::Clone(node);
  if (node.IsMap())
    for (auto const& kv : node) out[kv.first.Scalar()] = filled(kv.second, subject);
  for (std::size_t i = 0; node.IsSequence() && i < node.size(); ++i) out[i] = filled(node[i], subject);
  return out;
}

constexpr char const* subject_source_form =
    "a list of subjects, or a mapping with 'glob' (subject folders, e.g. 'data/sub-*', and 'inputs' using "
    "{match}, {id}, {session}) or 'bids' (a BIDS raw dataset root), optionally 'participant_label' and "
    "'session_label'";

// The explicit entries a `subjects: {glob: ...}` or `subjects: {bids: ...}` mapping stands for, one per
// subject (and session) found; its label filters go into `filter` unless the command line gave its own.
YAML::Node source_entries(YAML::Node const& source, std::string const& path, cohort::SubjectFilter& filter) {
  for (auto const& kv : source) {
    std::string const key = kv.first.Scalar();
    if (key != "glob" && key != "bids" && key != "inputs" && key != "participant_label" &&
        key != "session_label")
      throw ConfigError(path, "subjects." + key,
                        std::string(subject_source_form) + ", found key '" + key + "'");
  }
  YAML::Node const glob = source["glob"], bids = source["bids"], inputs = source["inputs"];
  if (bool(glob) == bool(bids) || (glob && !glob.IsScalar()) || (bids && !bids.IsScalar()))
    throw ConfigError(path, "subjects", std::string(subject_source_form) + ", found " + describe(source));
  if (glob && !(inputs && inputs.IsMap()))
    throw ConfigError(path, "subjects.inputs",
                      "the modality's input keys of each matched subject, e.g. {concentration: "
                      "'{match}/conc.nii.gz'}, found " +
                          describe(inputs));
  if (filter.participants.empty() && source["participant_label"]) {
    filter.participants = labels_of(source["participant_label"], path, "subjects.participant_label");
    filter.participants_field = "subjects.participant_label";
  }
  if (filter.sessions.empty() && source["session_label"]) {
    filter.sessions = labels_of(source["session_label"], path, "subjects.session_label");
    filter.sessions_field = "subjects.session_label";
  }
  std::error_code ec;
  std::string const base_dir = fs::absolute(path, ec).parent_path().string();
  auto const found = glob ? cohort::glob_subjects(glob.Scalar(), base_dir, path)
                          : cohort::bids_subjects(bids.Scalar(), base_dir, path);
  YAML::Node entries(YAML::NodeType::Sequence);
  for (auto const& subject : found) {
    YAML::Node entry(YAML::NodeType::Map);
    entry["id"] = subject.id;
    if (!subject.session.empty()) entry["session"] = subject.session;
    entry["inputs"] = inputs ? filled(inputs, subject) : YAML::Node(YAML::NodeType::Map);
    if (bids && !entry["inputs"]["bids"]) entry["inputs"]["bids"] = bids.Scalar();
    entries.push_back(entry);
  }
  return entries;
}

}  // namespace

RunConfig parse_run_config(std::string const& text, std::string const& path, Overrides const& overrides,
                           SchemaLookup schema_of) {
  SchemaDefaults defaults;
  return read_subject_document(load_document(text, path), path, overrides, schema_of, defaults);
}

CohortConfig parse_cohort_config(std::string const& text, std::string const& path, Overrides const& overrides,
                                 SchemaLookup schema_of) {
  YAML::Node const root = load_document(text, path);
  YAML::Node subjects = root["subjects"];
  CohortConfig cohort;
  if (!subjects) {
    SchemaDefaults defaults;
    cohort.subjects.push_back(read_subject_document(root, path, overrides, schema_of, defaults));
    return cohort;
  }
  cohort.is_cohort = true;
  cohort::SubjectFilter filter;
  filter.participants = overrides.participant_labels;
  filter.sessions = overrides.session_labels;
  if (subjects.IsMap()) subjects = source_entries(subjects, path, filter);
  if (!subjects.IsSequence() || subjects.size() == 0)
    throw ConfigError(
        path, "subjects",
        "a list of subjects, each " + std::string(cohort_entry_form) + ", found " + describe(subjects));
  if (root["subject"])
    throw ConfigError(path, "subject",
                      "no 'subject' beside 'subjects' (each entry names its subject by 'id')");
  std::map<std::string, std::size_t> seen;  // "sub-01_ses-1" -> entry
  std::vector<YAML::Node> entries;
  std::vector<cohort::FoundSubject> named;  // for the label filters
  // Iterated, not indexed: yaml-cpp finds subjects[i] by walking the sequence, quadratic for a long cohort.
  for (auto entry = subjects.begin(); entry != subjects.end(); ++entry) {
    named.push_back(cohort_entry_subject(root, *entry, entries.size(), path));
    entries.push_back(*entry);
  }
  // One subject's document at a time: a cohort's are several times the size of its file.
  SchemaDefaults defaults;
  for (std::size_t const i : cohort::filter_subjects(named, filter, path)) {
    YAML::Node const doc = subject_document(root, entries[i]);
    try {
      cohort.subjects.push_back(read_subject_document(doc, path, overrides, schema_of, defaults));
    } catch (ConfigError const& e) {
      throw Error(ExitCode::config, std::string(e.what()) + " (subjects[" + std::to_string(i + 1) +
                                        "], id '" + excerpt(doc["subject"].Scalar()) + "')");
    }
    auto const& s = cohort.subjects.back().settings();
    std::string const label = "sub-" + s.subject + (s.session.empty() ? "" : "_ses-" + s.session);
    auto const [it, inserted] = seen.emplace(label, i);
    if (!inserted)
      throw ConfigError(path, "subjects[" + std::to_string(i + 1) + "].id",
                        "each subject (and session) once, but " + label + " is also subjects[" +
                            std::to_string(it->second + 1) + "]");
  }
  return cohort;
}

}  // namespace voxflow::pipeline
