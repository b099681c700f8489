// A BIDS JSON sidecar of an ASL input (private to src/pipeline/asl): the fields voxflow reads, each checked
// for its type, with InputError naming the sidecar and the field.
#ifndef VOXFLOW_SRC_PIPELINE_ASL_ASL_SIDECAR_HPP
#define VOXFLOW_SRC_PIPELINE_ASL_ASL_SIDECAR_HPP

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace voxflow::pipeline::asl_run {

class Sidecar {
 public:
  Sidecar() = default;
  // Reads `path`; an empty path or a file that does not exist gives an empty sidecar.
  static Sidecar read(std::string const& path);

  std::string const& path() const { return path_; }
  bool empty() const { return path_.empty(); }
  std::optional<double> number(char const* key) const;
  std::optional<std::string> text(char const* key) const;
  std::optional<bool> flag(char const* key) const;
  // A number or a list of numbers (PostLabelingDelay).
  std::optional<std::vector<double>> numbers(char const* key) const;

 private:
  std::string path_;
  nlohmann::json doc_;
};

}  // namespace voxflow::pipeline::asl_run

#endif
