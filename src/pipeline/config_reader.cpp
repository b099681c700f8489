#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/config_reader.hpp>
#include <voxflow/pipeline/config_schema.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace voxflow::pipeline {

namespace fs = std::filesystem;

struct ConfigReader::Impl {
  YAML::Node root;
};

namespace {

std::vector<std::string> split_key(std::string const& dotted) {
  std::vector<std::string> parts;
  std::stringstream ss(dotted);
  std::string part;
  while (std::getline(ss, part, '.')) parts.push_back(part);
  return parts;
}

std::string describe(YAML::Node const& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsSequence()) return "a list";
  return "a mapping";
}

void check_node(YAML::Node const& user, YAML::Node const& schema, std::string const& prefix,
                std::string const& file) {
  if (!user.IsMap()) return;
  if (!schema.IsMap()) {
    throw ConfigError(file, prefix, "a single value, found a mapping");
  }
  std::vector<std::string> known;
  for (auto const& kv : schema) known.push_back(kv.first.as<std::string>());
  for (auto const& kv : user) {
    std::string const key = kv.first.as<std::string>();
    std::string const full = prefix.empty() ? key : prefix + "." + key;
    if (!schema[key]) {
      std::string const suggestion = did_you_mean(key, known);
      throw ConfigError(file, full,
                        "a known key" + (suggestion.empty() ? std::string(" (see `voxflow dump-defaults`)")
                                                            : " — did you mean '" + suggestion + "'?"));
    }
    if (kv.second.IsMap() && !schema[key].IsNull()) check_node(kv.second, schema[key], full, file);
  }
}

void merge(YAML::Node target, YAML::Node const& defaults) {
  for (auto const& kv : defaults) {
    std::string const key = kv.first.as<std::string>();
    if (!target[key] || target[key].IsNull()) {
      if (!target[key]) target[key] = YAML::Clone(kv.second);
    } else if (target[key].IsMap() && kv.second.IsMap()) {
      merge(target[key], kv.second);
    }
  }
}

}  // namespace

ConfigReader::ConfigReader(std::string const& yaml_text, std::string const& file)
    : file_(file), impl_(new Impl) {
  std::error_code ec;
  fs::path const p = fs::absolute(file, ec);
  base_dir_ = p.parent_path().string();
  try {
    impl_->root = YAML::Load(yaml_text);
  } catch (YAML::Exception const& e) {
    delete impl_;
    throw ConfigError(file, "line " + std::to_string(e.mark.line + 1), "valid YAML (" + e.msg + ")");
  }
  if (!impl_->root.IsMap() && !impl_->root.IsNull()) {
    delete impl_;
    throw ConfigError(file, "", "a YAML mapping of keys to values at the top level");
  }
  if (impl_->root.IsNull()) impl_->root = YAML::Node(YAML::NodeType::Map);
}

ConfigReader ConfigReader::from_file(std::string const& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path, "", "a readable configuration file");
  std::ostringstream text;
  text << in.rdbuf();
  return ConfigReader(text.str(), path);
}

ConfigReader::~ConfigReader() {
  delete impl_;
}
ConfigReader::ConfigReader(ConfigReader&& other) noexcept
    : file_(std::move(other.file_)), base_dir_(std::move(other.base_dir_)), impl_(other.impl_) {
  other.impl_ = nullptr;
}

YAML::Node ConfigReader::node(std::string const& dotted_key) const {
  YAML::Node current = YAML::Clone(impl_->root);
  for (auto const& part : split_key(dotted_key)) {
    if (!current.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    YAML::Node next = current[part];
    if (!next) return YAML::Node(YAML::NodeType::Undefined);
    current = next;
  }
  return current;
}

void ConfigReader::fail(std::string const& key, std::string const& expected) const {
  throw ConfigError(file_, key, expected + ", found " + describe(node(key)));
}

void ConfigReader::check_keys_against(ConfigReader const& schema) const {
  check_node(impl_->root, schema.impl_->root, "", file_);
}

bool ConfigReader::has(std::string const& key) const {
  auto const n = node(key);
  return n.IsDefined() && !n.IsNull();
}

bool ConfigReader::is_list(std::string const& key) const {
  return node(key).IsSequence();
}

std::optional<std::string> ConfigReader::text(std::string const& key) const {
  auto const n = node(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) fail(key, "a single value");
  return n.Scalar();
}

std::optional<double> ConfigReader::number(std::string const& key) const {
  auto const n = node(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  try {
    if (n.IsScalar()) return n.as<double>();
  } catch (YAML::Exception const&) {
  }
  fail(key, "a number");
}

std::optional<long long> ConfigReader::integer(std::string const& key) const {
  auto const n = node(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  try {
    if (n.IsScalar()) return n.as<long long>();
  } catch (YAML::Exception const&) {
  }
  fail(key, "a whole number");
}

std::optional<bool> ConfigReader::flag(std::string const& key) const {
  auto const n = node(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  try {
    if (n.IsScalar()) return n.as<bool>();
  } catch (YAML::Exception const&) {
  }
  fail(key, "true or false");
}

std::optional<std::vector<double>> ConfigReader::numbers(std::string const& key) const {
  auto const n = node(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsSequence()) fail(key, "a list of numbers such as [1, 2]");
  std::vector<double> values;
  try {
    for (auto const& item : n) values.push_back(item.as<double>());
  } catch (YAML::Exception const&) {
    fail(key, "a list of numbers such as [1, 2]");
  }
  return values;
}

std::optional<std::vector<std::string>> ConfigReader::texts(std::string const& key) const {
  auto const n = node(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (n.IsScalar()) return std::vector<std::string>{n.Scalar()};
  if (!n.IsSequence()) fail(key, "a value or a list of values");
  std::vector<std::string> values;
  for (auto const& item : n) {
    if (!item.IsScalar()) fail(key, "a list of single values");
    values.push_back(item.Scalar());
  }
  return values;
}

std::optional<std::string> ConfigReader::path(std::string const& key) const {
  auto const t = text(key);
  if (!t) return std::nullopt;
  fs::path const p(*t);
  return p.is_absolute() ? p.string() : (fs::path(base_dir_) / p).lexically_normal().string();
}

std::string ConfigReader::emit() const {
  YAML::Emitter out;
  out << impl_->root;
  return std::string(out.c_str()) + "\n";
}

void ConfigReader::set(std::string const& dotted_key, std::string const& value) {
  auto const parts = split_key(dotted_key);
  std::vector<YAML::Node> chain{impl_->root};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next = chain.back()[parts[i]];
    if (!next.IsMap()) {
      chain.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next = chain.back()[parts[i]];
    }
    chain.push_back(next);
  }
  chain.back()[parts.back()] = value;
}

void ConfigReader::merge_defaults(ConfigReader const& defaults) {
  merge(impl_->root, defaults.impl_->root);
}

}  // namespace voxflow::pipeline
