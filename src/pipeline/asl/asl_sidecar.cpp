#include "asl_sidecar.hpp"

#include <voxflow/core/errors.hpp>

#include <filesystem>
#include <fstream>

namespace voxflow::pipeline::asl_run {

Sidecar Sidecar::read(std::string const& path) {
  Sidecar s;
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec)) return s;
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "a readable JSON sidecar");
  try {
    in >> s.doc_;
  } catch (nlohmann::json::exception const& e) {
    throw InputError(path, "", std::string("a valid JSON sidecar (") + e.what() + ")");
  }
  if (!s.doc_.is_object()) throw InputError(path, "", "a JSON object");
  s.path_ = path;
  return s;
}

std::optional<double> Sidecar::number(char const* key) const {
  if (!doc_.contains(key)) return std::nullopt;
  if (!doc_[key].is_number()) throw InputError(path_, key, "a number");
  return doc_[key].get<double>();
}

std::optional<std::string> Sidecar::text(char const* key) const {
  if (!doc_.contains(key)) return std::nullopt;
  if (!doc_[key].is_string()) throw InputError(path_, key, "a text value");
  return doc_[key].get<std::string>();
}

std::optional<bool> Sidecar::flag(char const* key) const {
  if (!doc_.contains(key)) return std::nullopt;
  if (!doc_[key].is_boolean()) throw InputError(path_, key, "true or false");
  return doc_[key].get<bool>();
}

std::optional<std::vector<double>> Sidecar::numbers(char const* key) const {
  if (!doc_.contains(key)) return std::nullopt;
  auto const& value = doc_[key];
  if (value.is_number()) return std::vector<double>{value.get<double>()};
  if (!value.is_array()) throw InputError(path_, key, "a number or a list of numbers");
  std::vector<double> out;
  for (auto const& v : value) {
    if (!v.is_number()) throw InputError(path_, key, "a number or a list of numbers");
    out.push_back(v.get<double>());
  }
  return out;
}

}  // namespace voxflow::pipeline::asl_run
