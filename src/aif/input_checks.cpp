#include <voxflow/aif/input_checks.hpp>

#include <cmath>

namespace voxflow::aif {

void check_hematocrit(double hct, std::string const& source) {
  require_input(std::isfinite(hct) && hct >= 0.0 && hct < 1.0, source, "hematocrit",
                "a fraction in [0, 1) (got " + std::to_string(hct) + ")");
}

void check_delay(double delay_s, std::string const& source) {
  require_input(std::isfinite(delay_s), source, "delay_s", "a finite bolus delay in seconds");
}

void check_extent(std::size_t actual, std::size_t expected, std::string const& source,
                  std::string const& field, std::string const& what) {
  require_input(actual == expected, source, field,
                what + " (" + std::to_string(expected) + " entries, got " + std::to_string(actual) + ")");
}

namespace detail {
void report_time_grid_defects(TimeGridDefects const& defects, long n, std::string const& source,
                              std::string const& field) {
  require_input(defects.first_non_finite >= n, source, field,
                "finite times in seconds (sample " + std::to_string(defects.first_non_finite) + " is not)");
  require_input(defects.first_decrease >= n, source, field,
                "non-decreasing times (sample " + std::to_string(defects.first_decrease) +
                    " is earlier than the one before)");
}
}  // namespace detail

}  // namespace voxflow::aif
