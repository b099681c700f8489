// Unit constants (DESIGN.md §5). Internal units are fixed; conversions happen only at I/O.
#ifndef VOXFLOW_CORE_UNITS_HPP
#define VOXFLOW_CORE_UNITS_HPP

namespace voxflow::units {

inline constexpr double seconds_per_minute = 60.0;
inline constexpr double per_second_to_per_minute = 60.0;  // k [1/s] * 60 = k [1/min]
inline constexpr double ms_to_s = 1.0e-3;
inline constexpr double pi = 3.14159265358979323846;
inline constexpr double degrees_to_radians = pi / 180.0;
// Flow and volume fractions: mL/mL -> mL/100 mL (or mL/100 g, tissue density 1 g/mL assumed where stated).
inline constexpr double fraction_to_per_100 = 100.0;

// Default hematocrit of large vessels (Parker AIF contract, SPEC §4.7).
inline constexpr double default_hematocrit = 0.42;

}  // namespace voxflow::units

#endif
