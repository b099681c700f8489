#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/deep_validation.hpp>

#include <cmath>
#include <filesystem>
#include <set>

namespace voxflow::pipeline {

namespace {

bool names_nifti(std::string const& path) {
  auto const ends = [&](std::string const& tail) {
    return path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  return ends(".nii") || ends(".nii.gz") || ends(".hdr") || ends(".hdr.gz");
}

// Every path value of the configuration, in schema order.
std::vector<std::string> named_paths(RunConfig const& config) {
  std::vector<std::string> paths;
  for (auto const& spec : config.schema().keys()) {
    if (spec.key == "output.dir") continue;
    if (spec.type == KeyType::path || (spec.type == KeyType::numbers_or_path && !config.is_list(spec.key))) {
      if (auto const p = config.text(spec.key)) paths.push_back(*p);
    } else if (spec.type == KeyType::paths) {
      if (auto const p = config.paths(spec.key)) paths.insert(paths.end(), p->begin(), p->end());
    }
  }
  return paths;
}

}  // namespace

std::vector<DeepImageCheck> deep_check_images(RunConfig const& config) {
  std::vector<DeepImageCheck> checks;
  std::set<std::string> seen;
  for (auto const& path : named_paths(config)) {
    std::error_code ec;
    if (!names_nifti(path) || !std::filesystem::is_regular_file(path, ec) || !seen.insert(path).second)
      continue;
    auto const image = io::read_nifti(path);
    DeepImageCheck check;
    check.path = path;
    check.values = static_cast<std::int64_t>(image.data.size());
    for (double const v : image.data) check.non_finite += std::isfinite(v) ? 0 : 1;
    checks.push_back(check);
  }
  return checks;
}

std::string describe_deep_check(std::vector<DeepImageCheck> const& checks) {
  std::int64_t values = 0, non_finite = 0;
  std::string where;
  for (auto const& c : checks) {
    values += c.values;
    non_finite += c.non_finite;
    if (c.non_finite > 0)
      where += (where.empty() ? ": " : ", ") + std::to_string(c.non_finite) + " in " +
               std::filesystem::path(c.path).filename().string();
  }
  return std::to_string(checks.size()) + (checks.size() == 1 ? " image" : " images") + " read in full (" +
         std::to_string(values) + " values, " + std::to_string(non_finite) + " non-finite" + where + ")";
}

}  // namespace voxflow::pipeline
