// The AIF on a uniform tissue grid padded on both sides, for delayed evaluation in lane packs: each lane of a
// pack reads the AIF at its own knot offset (its own delay), which a padded copy turns into one indexed load
// per lane and sample, with no bounds tests. Knot k's interval reads (start(k), end(k)):
//   start(k) = 0 and end(k) = 0 before the AIF (k < 0: zero input, also over the interval ending at knot 0),
//   start(k) = Cp_k and end(k) = Cp_{k+1} on it, and the last value past it (a constant input),
// exactly what DceInputs::convolve_samples reads on that grid. Shifts of less than n frames either way keep
// every knot a lane visits, k in (-2n, 2n), inside the padding.
#ifndef VOXFLOW_DCE_PADDED_AIF_HPP
#define VOXFLOW_DCE_PADDED_AIF_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/dce/dce_inputs.hpp>

#include <string>

namespace voxflow::dce {

template <class MemorySpace>
struct PaddedAif {
  // (knot + offset(), end): start(k) in column 0, end(k) in column 1, for -2n < k < 2n.
  Kokkos::View<double const* [2], Kokkos::LayoutLeft, MemorySpace> ends;

  KOKKOS_INLINE_FUNCTION int offset() const { return static_cast<int>(ends.extent(0)) / 2; }
  KOKKOS_INLINE_FUNCTION bool empty() const { return ends.extent(0) == 0; }
  // start(k) is starts()[k] and end(k) is interval_ends()[k].
  KOKKOS_INLINE_FUNCTION double const* starts() const { return &ends(offset(), 0); }
  KOKKOS_INLINE_FUNCTION double const* interval_ends() const { return &ends(offset(), 1); }
};

template <class ExecutionSpace, class MemorySpace>
PaddedAif<MemorySpace> make_padded_aif(ExecutionSpace const& space, DceInputs<MemorySpace> const& in,
                                       std::string const& label) {
  int const n = in.n_samples();
  int const half = 2 * n;
  auto const ends = allocate<Kokkos::View<double* [2], Kokkos::LayoutLeft, MemorySpace>>(
      space, label + "::padded_aif", 2 * half);
  Kokkos::parallel_for(
      label + "::padded_aif", Kokkos::RangePolicy<ExecutionSpace>(space, 0, 2 * half), KOKKOS_LAMBDA(int i) {
        int const k = i - half;
        auto const aif = [&](int knot) { return in.ca(knot < n ? knot : n - 1); };
        ends(i, 0) = k < 0 ? 0.0 : aif(k);
        ends(i, 1) = k < 0 ? 0.0 : aif(k + 1);
      });
  return {ends};
}

}  // namespace voxflow::dce

#endif
