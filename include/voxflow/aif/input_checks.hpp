// Host-side checks of the inputs of the AIF functions (DESIGN.md §6): bad input throws InputError naming the
// source, the field and what was expected, before any kernel runs on it.
#ifndef VOXFLOW_AIF_INPUT_CHECKS_HPP
#define VOXFLOW_AIF_INPUT_CHECKS_HPP

#include <voxflow/core/errors.hpp>
#include <voxflow/core/kokkos_compat.hpp>

#include <string>

namespace voxflow::aif {

// Throws unless hct is a finite value in [0, 1) (1 would divide the plasma curve by zero).
void check_hematocrit(double hct, std::string const& source);
// Throws unless delay_s is finite.
void check_delay(double delay_s, std::string const& source);
// Throws unless `actual` equals `expected`, naming the field whose length is wrong.
void check_extent(std::size_t actual, std::size_t expected, std::string const& source,
                  std::string const& field, std::string const& what);

namespace detail {
// Index of the first non-finite time and of the first sample earlier than its predecessor (n when there is
// none).
struct TimeGridDefects {
  long first_non_finite;
  long first_decrease;
};
void report_time_grid_defects(TimeGridDefects const& defects, long n, std::string const& source,
                              std::string const& field);
}  // namespace detail

// Throws unless every time is finite and the grid never decreases; one reduction on `space`, no host copy of
// the grid.
template <class ExecutionSpace, class TimeView>
void check_time_grid(ExecutionSpace const& space, TimeView const& times, std::string const& source,
                     std::string const& field = "times_s") {
  long const n = static_cast<long>(times.extent(0));
  long first_non_finite = n, first_decrease = n;
  Kokkos::parallel_reduce(
      "voxflow::aif::check_time_grid", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n),
      KOKKOS_LAMBDA(long i, long& non_finite, long& decrease) {
        if (!is_finite(times(i)) && i < non_finite) non_finite = i;
        if (i > 0 && times(i) < times(i - 1) && i < decrease) decrease = i;
      },
      Kokkos::Min<long>(first_non_finite), Kokkos::Min<long>(first_decrease));
  detail::report_time_grid_defects({first_non_finite, first_decrease}, n, source, field);
}

}  // namespace voxflow::aif

#endif
