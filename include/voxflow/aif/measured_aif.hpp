// A measured AIF: the mean concentration curve of the voxels an AIF mask selects (e.g. drawn in a large
// artery). Voxels with any non-finite sample are left out and counted, so one corrupt voxel cannot poison the
// curve.
#ifndef VOXFLOW_AIF_MEASURED_AIF_HPP
#define VOXFLOW_AIF_MEASURED_AIF_HPP

#include <voxflow/aif/aif_curve.hpp>
#include <voxflow/aif/input_checks.hpp>
#include <voxflow/core/views.hpp>

#include <cstdint>
#include <string>

namespace voxflow::aif {

struct MeasuredAifResult {
  std::size_t voxels_used = 0;          // masked voxels whose whole curve is finite
  std::size_t non_finite_excluded = 0;  // masked voxels left out because a sample is NaN or infinite
};

namespace detail {
// use(v) = 1 when voxel v is selected by the mask and all its samples are finite; returns the two counts.
template <class ExecutionSpace, class MemorySpace>
MeasuredAifResult flag_usable_voxels(ExecutionSpace const& space, Series<MemorySpace> const& data,
                                     Kokkos::View<std::uint8_t const*, MemorySpace> const& mask,
                                     Kokkos::View<std::uint8_t*, MemorySpace> const& use) {
  int const n_time = static_cast<int>(data.extent(1));
  long used = 0, excluded = 0;
  Kokkos::parallel_reduce(
      "voxflow::aif::measured_aif::flag", Kokkos::RangePolicy<ExecutionSpace>(space, 0, data.extent(0)),
      KOKKOS_LAMBDA(long v, long& n_used, long& n_excluded) {
        use(v) = 0;
        if (mask(v) == 0) return;
        for (int j = 0; j < n_time; ++j)
          if (!is_finite(data(v, j))) {
            ++n_excluded;
            return;
          }
        use(v) = 1;
        ++n_used;
      },
      used, excluded);
  return {static_cast<std::size_t>(used), static_cast<std::size_t>(excluded)};
}
}  // namespace detail

// out(j) = mean over the usable masked voxels v of data(v, j), one team per time point. data is (voxel, time)
// in mM; aif_mask has one byte per voxel (non-zero = artery). Throws InputError when the extents disagree or
// no masked voxel has a finite curve. Returns how many voxels were averaged and how many were excluded as
// non-finite.
template <class ExecutionSpace, class MemorySpace>
MeasuredAifResult measured_aif(ExecutionSpace const& space, Series<MemorySpace> const& data,
                               detail::non_deduced<Kokkos::View<std::uint8_t const*, MemorySpace>> aif_mask,
                               detail::non_deduced<Kokkos::View<double*, MemorySpace>> out,
                               std::string const& source = "measured AIF") {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "voxflow::aif::measured_aif: the first argument must be a Kokkos execution space");
  static_assert(
      Kokkos::SpaceAccessibility<ExecutionSpace, typename Series<MemorySpace>::memory_space>::accessible,
      "voxflow::aif::measured_aif: data, mask and output must be accessible from the execution space");
  check_extent(aif_mask.extent(0), data.extent(0), source, "aif_mask", "one mask byte per voxel");
  check_extent(out.extent(0), data.extent(1), source, "out", "one output sample per time point");
  ScopedRegion region("voxflow::aif::measured_aif");
  auto const use = allocate<Kokkos::View<std::uint8_t*, MemorySpace>>(
      space, "voxflow::aif::measured_aif::use", data.extent(0));
  MeasuredAifResult const result = detail::flag_usable_voxels(space, data, aif_mask, use);
  require_input(result.voxels_used > 0, source, "aif_mask",
                "at least one selected voxel with a finite curve (" +
                    std::to_string(result.non_finite_excluded) + " selected voxels are non-finite)");
  using Team = typename Kokkos::TeamPolicy<ExecutionSpace>::member_type;
  long const n_voxels = static_cast<long>(data.extent(0));
  double const inv_count = 1.0 / static_cast<double>(result.voxels_used);
  Kokkos::parallel_for(
      "voxflow::aif::measured_aif::mean",
      Kokkos::TeamPolicy<ExecutionSpace>(space, static_cast<int>(data.extent(1)), Kokkos::AUTO),
      KOKKOS_LAMBDA(Team const& team) {
        int const j = team.league_rank();
        double sum = 0.0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, n_voxels),
            [&](long v, double& partial) {
              if (use(v)) partial += data(v, j);
            },
            sum);
        Kokkos::single(Kokkos::PerTeam(team), [&]() { out(j) = sum * inv_count; });
      });
  return result;
}

}  // namespace voxflow::aif

#endif
