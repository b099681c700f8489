#include <voxflow/core/backend.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/config_schema.hpp>

#include <algorithm>
#include <sstream>

namespace voxflow::pipeline {

namespace {

KeySpec make(std::string key, KeyType type, std::string default_yaml, std::string comment) {
  KeySpec spec;
  spec.key = std::move(key);
  spec.type = type;
  spec.default_yaml = std::move(default_yaml);
  spec.comment = std::move(comment);
  return spec;
}

std::string section_of(std::string const& key) {
  auto const dot = key.rfind('.');
  return dot == std::string::npos ? std::string() : key.substr(0, dot);
}

std::string leaf_of(std::string const& key) {
  auto const dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

std::size_t edit_distance(std::string const& a, std::string const& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Comments start in this column, as in a hand-aligned configuration file.
constexpr std::size_t comment_column = 31;

}  // namespace

KeySpec text_key(std::string key, std::string default_yaml, std::string comment) {
  return make(std::move(key), KeyType::text, std::move(default_yaml), std::move(comment));
}
KeySpec path_key(std::string key, std::string comment, std::string default_yaml) {
  return make(std::move(key), KeyType::path, std::move(default_yaml), std::move(comment));
}
KeySpec paths_key(std::string key, std::string comment) {
  return make(std::move(key), KeyType::paths, "null", std::move(comment));
}
KeySpec number_key(std::string key, std::string default_yaml, std::string comment, double min, double max) {
  auto spec = make(std::move(key), KeyType::number, std::move(default_yaml), std::move(comment));
  spec.min = min;
  spec.max = max;
  return spec;
}
KeySpec integer_key(std::string key, std::string default_yaml, std::string comment, double min, double max) {
  auto spec = make(std::move(key), KeyType::integer, std::move(default_yaml), std::move(comment));
  spec.min = min;
  spec.max = max;
  return spec;
}
KeySpec flag_key(std::string key, bool default_value, std::string comment) {
  return make(std::move(key), KeyType::flag, default_value ? "true" : "false", std::move(comment));
}
KeySpec numbers_key(std::string key, std::string default_yaml, std::string comment) {
  return make(std::move(key), KeyType::numbers, std::move(default_yaml), std::move(comment));
}
KeySpec numbers_or_path_key(std::string key, std::string comment, bool single_number) {
  auto spec = make(std::move(key), KeyType::numbers_or_path, "null", std::move(comment));
  spec.single_number = single_number;
  return spec;
}

ConfigSchema::ConfigSchema(std::string modality, std::string title, std::vector<KeySpec> keys)
    : modality_(std::move(modality)), title_(std::move(title)), keys_(std::move(keys)) {
  // A section's keys are written under one heading, so they must be consecutive.
  std::vector<std::string> closed;
  std::string open;
  for (auto const& spec : keys_) {
    std::string const section = section_of(spec.key);
    if (section == open) continue;
    if (!section.empty() && std::find(closed.begin(), closed.end(), section) != closed.end())
      throw Error(ExitCode::failure, "voxflow::pipeline::ConfigSchema: the keys of section '" + section +
                                         "' are not consecutive (at " + spec.key + ")");
    closed.push_back(open);
    open = section;
  }
}

KeySpec const* ConfigSchema::find(std::string const& dotted_key) const {
  for (auto const& spec : keys_)
    if (spec.key == dotted_key) return &spec;
  return nullptr;
}

bool ConfigSchema::is_section(std::string const& dotted_key) const {
  std::string const prefix = dotted_key + ".";
  for (auto const& spec : keys_)
    if (spec.key.rfind(prefix, 0) == 0) return true;
  return false;
}

std::vector<std::string> ConfigSchema::children(std::string const& section) const {
  std::vector<std::string> names;
  std::string const prefix = section.empty() ? "" : section + ".";
  for (auto const& spec : keys_) {
    if (spec.key.rfind(prefix, 0) != 0) continue;
    std::string const rest = spec.key.substr(prefix.size());
    std::string const name = rest.substr(0, rest.find('.'));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

std::string ConfigSchema::document() const {
  std::ostringstream out;
  out << "# voxflow run configuration for " << title_ << ": every key with its default.\n";
  std::string open;
  for (auto const& spec : keys_) {
    std::string const section = section_of(spec.key);
    if (section != open) {
      // Sections are at most one level deep in every schema so far; deeper ones would nest the same way.
      if (!section.empty()) out << section << ":\n";
      open = section;
    }
    std::string line = (section.empty() ? "" : "  ") + leaf_of(spec.key) + ": " + spec.default_yaml;
    std::istringstream comment(spec.comment);
    std::string part;
    bool first = true;
    while (std::getline(comment, part)) {
      std::string const lead = first ? line : std::string();
      out << lead << std::string(lead.size() < comment_column ? comment_column - lead.size() : 1, ' ') << "# "
          << part << "\n";
      first = false;
    }
    if (first) out << line << "\n";
  }
  return out.str();
}

ConfigSchema modality_schema(std::string const& modality, std::string const& title,
                             std::vector<KeySpec> keys) {
  std::vector<KeySpec> all{
      text_key("modality", modality, "the modality of the run"),
      text_key("subject", "sub-01", "BIDS subject label, with or without the \"sub-\" prefix"),
      text_key("session", "null", "optional BIDS session label"),
      text_key("run", "null", "optional BIDS run label choosing one of several series of inputs.bids"),
      text_key("acq", "null",
               "optional BIDS acquisition label choosing one of several series of inputs.bids"),
  };
  all.insert(all.end(), keys.begin(), keys.end());
  // A cohort under MPI (issue 12, cluster/README.md): subjects whose voxels are split across all ranks.
  KeySpec split =
      flag_key("split", false,
               "cohort under MPI: split this subject's voxels across all ranks (a subject entry's "
               "key)");
  KeySpec split_voxels = integer_key("cohort.split_voxels", "0",
                                     "cohort under MPI: split every subject whose grid has at least this "
                                     "many voxels\nacross all ranks; 0 = only subjects marked split",
                                     0, 1.0e15);
  split.scheduling = split_voxels.scheduling = true;
  all.push_back(split);
  all.push_back(split_voxels);
  for (auto&& spec : {
           choice_key("backend", backend_names, Backend::automatic),
           integer_key("threads", "0", "host threads (--threads wins); 0 = OMP_NUM_THREADS or all cores", 0,
                       4096),
           path_key("output.dir", "BIDS-derivatives folder", "out"),
           flag_key("output.compress", true, ".nii.gz (true) or .nii (false)"),
           integer_key("output.compression_level", "1",
                       "gzip level of .nii.gz maps: 1 fastest (default), 6 zlib's usual, 12 smallest", 1, 12),
           flag_key("output.hdf5", true, "one HDF5 file per subject"),
           flag_key("output.qc", true, "a QC image per subject"),
           flag_key("output.overwrite", false, "replace the outputs of a subject that already has them"),
       })
    all.push_back(spec);
  return ConfigSchema(modality, title, std::move(all));
}

std::string did_you_mean(std::string const& word, std::vector<std::string> const& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (auto const& c : candidates) {
    std::size_t const d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace voxflow::pipeline
