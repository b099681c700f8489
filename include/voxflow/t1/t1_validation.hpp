// Host-side checks of T1-mapping inputs, run before any kernel (DESIGN.md §6): each failure throws
// voxflow::InputError(source, field, expectation) naming the offending argument.
#ifndef VOXFLOW_T1_T1_VALIDATION_HPP
#define VOXFLOW_T1_T1_VALIDATION_HPP

#include <voxflow/t1/t1_method.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace voxflow::t1 {

// Extents of the arrays handed to a T1 mapping call. Optional per-voxel arrays (B1, mask) may have extent 0.
struct T1InputShape {
  std::size_t voxels = 0;      // signal.extent(0)
  std::size_t samples = 0;     // signal.extent(1)
  std::size_t b1 = 0;          // b1.extent(0)
  std::size_t mask = 0;        // mask.extent(0)
  std::size_t output_min = 0;  // smallest and largest extent among the output Views
  std::size_t output_max = 0;
};

// Variable flip angle: at least two flip angles, each finite and in (0, 180) degrees, not all equal (for
// two_point: first != last); TR finite and > 0; one signal sample per flip angle; B1, mask and outputs sized
// per voxel.
void validate_vfa_inputs(std::string const& source, std::vector<double> const& flip_angles_deg, double tr_s,
                         T1InputShape const& shape, T1Method method);

// Look-Locker: at least three inversion times (three parameters), finite, >= 0 and strictly increasing; one
// signal sample per inversion time; mask and outputs sized per voxel.
void validate_look_locker_inputs(std::string const& source, std::vector<double> const& inversion_times_s,
                                 T1InputShape const& shape);

}  // namespace voxflow::t1

#endif
