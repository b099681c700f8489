// Host entry point for population AIFs: samples a population curve on a time grid with a bolus delay, as
// blood or plasma, in one parallel_for on the caller's execution space (DESIGN.md §1: space first, inputs,
// then outputs).
#ifndef VOXFLOW_AIF_AIF_CURVE_HPP
#define VOXFLOW_AIF_AIF_CURVE_HPP

#include <voxflow/aif/input_checks.hpp>
#include <voxflow/aif/population_aif.hpp>
#include <voxflow/core/units.hpp>
#include <voxflow/core/views.hpp>

#include <string>

namespace voxflow::aif {

struct AifOptions {
  double delay_s = 0.0;                           // bolus arrival: the curve is 0 before it
  double hematocrit = units::default_hematocrit;  // used only to convert between blood and plasma
  AifQuantity quantity = AifQuantity::plasma;     // pharmacokinetic models take the plasma curve
  std::string source = "population AIF";          // names the caller in error messages
};

namespace detail {
// Makes a parameter a non-deduced context, so a View<double*> converts to the View<double const*> it is
// passed as.
template <class T>
struct identity {
  using type = T;
};
template <class T>
using non_deduced = typename identity<T>::type;
}  // namespace detail

// out(i) = the population AIF `kind` at times_s(i) (s), in mM. Throws InputError when the times are not
// finite and non-decreasing, the delay is not finite, the hematocrit is outside [0, 1) or out has another
// length than times_s.
template <class ExecutionSpace, class MemorySpace>
void population_aif(ExecutionSpace const& space, PopulationAif kind,
                    detail::non_deduced<Kokkos::View<double const*, MemorySpace>> times_s,
                    AifOptions const& options, Kokkos::View<double*, MemorySpace> out) {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "voxflow::aif::population_aif: the first argument must be a Kokkos execution space");
  static_assert(
      Kokkos::SpaceAccessibility<ExecutionSpace,
                                 typename Kokkos::View<double*, MemorySpace>::memory_space>::accessible,
      "voxflow::aif::population_aif: times and output must be accessible from the execution space");
  check_extent(out.extent(0), times_s.extent(0), options.source, "out", "one output sample per time");
  check_delay(options.delay_s, options.source);
  check_hematocrit(options.hematocrit, options.source);
  check_time_grid(space, times_s, options.source);
  double const delay = options.delay_s, hct = options.hematocrit;
  AifQuantity const quantity = options.quantity;
  Kokkos::parallel_for(
      "voxflow::aif::population_aif", Kokkos::RangePolicy<ExecutionSpace>(space, 0, times_s.extent(0)),
      KOKKOS_LAMBDA(std::size_t i) { out(i) = population_value(kind, times_s(i), delay, quantity, hct); });
}

}  // namespace voxflow::aif

#endif
