#include <voxflow/core/errors.hpp>
#include <voxflow/t1/t1_validation.hpp>

#include <cmath>
#include <string>

namespace voxflow::t1 {

namespace {

std::string count(std::size_t n) {
  return std::to_string(n);
}

void validate_per_voxel(std::string const& source, T1InputShape const& shape, bool has_b1) {
  std::string const voxels = count(shape.voxels) + " (one per voxel of the signal)";
  if (has_b1)
    require_input(shape.b1 == 0 || shape.b1 == shape.voxels, source, "b1",
                  "an empty View (no correction) or extent " + voxels + ", found " + count(shape.b1));
  require_input(shape.mask == 0 || shape.mask == shape.voxels, source, "mask",
                "an empty View (all voxels) or extent " + voxels + ", found " + count(shape.mask));
  require_input(shape.output_min == shape.voxels && shape.output_max == shape.voxels, source, "outputs",
                "every output View of extent " + voxels + ", found extents " + count(shape.output_min) +
                    " to " + count(shape.output_max));
}

}  // namespace

void validate_vfa_inputs(std::string const& source, std::vector<double> const& flip_angles_deg, double tr_s,
                         T1InputShape const& shape, T1Method method) {
  std::size_t const n = flip_angles_deg.size();
  require_input(n >= 2, source, "flip_angles", "at least 2 flip angles, found " + count(n));
  for (std::size_t j = 0; j < n; ++j) {
    double const a = flip_angles_deg[j];
    require_input(std::isfinite(a) && a > 0.0 && a < 180.0, source, "flip_angles[" + count(j) + "]",
                  "a flip angle in (0, 180) degrees, found " + std::to_string(a));
  }
  bool distinct = false;
  for (std::size_t j = 1; j < n; ++j) distinct = distinct || flip_angles_deg[j] != flip_angles_deg[0];
  require_input(distinct, source, "flip_angles", "at least two different flip angles");
  if (method == T1Method::two_point)
    require_input(flip_angles_deg.front() != flip_angles_deg.back(), source, "flip_angles",
                  "different first and last flip angles for the two-point method");
  require_input(std::isfinite(tr_s) && tr_s > 0.0, source, "tr",
                "a finite repetition time > 0 s, found " + std::to_string(tr_s));
  require_input(shape.samples == n, source, "signal",
                count(n) + " samples per voxel (one per flip angle), found " + count(shape.samples));
  validate_per_voxel(source, shape, true);
}

void validate_look_locker_inputs(std::string const& source, std::vector<double> const& inversion_times_s,
                                 T1InputShape const& shape) {
  std::size_t const n = inversion_times_s.size();
  require_input(n >= 3, source, "inversion_times", "at least 3 inversion times, found " + count(n));
  for (std::size_t j = 0; j < n; ++j) {
    double const t = inversion_times_s[j];
    require_input(std::isfinite(t) && t >= 0.0, source, "inversion_times[" + count(j) + "]",
                  "a finite inversion time >= 0 s, found " + std::to_string(t));
    if (j > 0)
      require_input(t > inversion_times_s[j - 1], source, "inversion_times[" + count(j) + "]",
                    "strictly increasing inversion times, found " + std::to_string(t) + " after " +
                        std::to_string(inversion_times_s[j - 1]));
  }
  require_input(shape.samples == n, source, "signal",
                count(n) + " samples per voxel (one per inversion time), found " + count(shape.samples));
  validate_per_voxel(source, shape, false);
}

}  // namespace voxflow::t1
