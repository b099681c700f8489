#include <voxflow/dce/signal_to_concentration.hpp>

#include <cmath>

namespace voxflow::dce {

void validate_spgr_conversion(SpgrConversion const& c, int n_frames, bool have_t1_map,
                              std::string const& source) {
  require_input(std::isfinite(c.flip_angle_deg) && c.flip_angle_deg > 0.0 && c.flip_angle_deg < 180.0, source,
                "flip_angle", "a flip angle in (0, 180) degrees, found " + std::to_string(c.flip_angle_deg));
  require_input(std::isfinite(c.tr_s) && c.tr_s > 0.0, source, "repetition_time",
                "a positive TR in seconds, found " + std::to_string(c.tr_s));
  require_input(std::isfinite(c.relaxivity) && c.relaxivity > 0.0, source, "relaxivity",
                "a positive relaxivity in 1/(mM s), found " + std::to_string(c.relaxivity));
  require_input(c.baseline_begin >= 0 && c.baseline_end > c.baseline_begin && c.baseline_end <= n_frames,
                source, "baseline_frames",
                "a non-empty frame range [begin, end) inside the " + std::to_string(n_frames) +
                    " frames, found [" + std::to_string(c.baseline_begin) + ", " +
                    std::to_string(c.baseline_end) + ")");
  if (!have_t1_map)
    require_input(std::isfinite(c.assumed_t1_s) && c.assumed_t1_s > 0.0, source, "t1",
                  "a T1 map or a positive assumed T1 in seconds");
}

}  // namespace voxflow::dce
