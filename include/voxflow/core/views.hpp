// View aliases and the execution-space-first conventions of DESIGN.md §1.
#ifndef VOXFLOW_CORE_VIEWS_HPP
#define VOXFLOW_CORE_VIEWS_HPP

#include <voxflow/core/kokkos_compat.hpp>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace voxflow {

// Time series of many voxels, indexed (voxel, time). The default layout of the memory space makes consecutive
// voxels contiguous on GPUs (coalesced, one thread per voxel) and one voxel's curve contiguous on CPUs.
template <class MemorySpace>
using Series = Kokkos::View<double**, MemorySpace>;

// Fitted parameters, indexed (voxel, parameter).
template <class MemorySpace>
using Maps = Kokkos::View<double**, MemorySpace>;

// One value per voxel (R², SSE, ...).
template <class MemorySpace>
using VoxelValues = Kokkos::View<double*, MemorySpace>;

// One FitStatus code per voxel.
template <class MemorySpace>
using StatusMap = Kokkos::View<std::uint8_t*, MemorySpace>;

// Iteration count per voxel.
template <class MemorySpace>
using IterationMap = Kokkos::View<std::uint16_t*, MemorySpace>;

// Small 1-D arrays shared by every voxel: time grids, AIFs, b-values, flip angles.
template <class MemorySpace>
using Grid = Kokkos::View<double*, MemorySpace>;

// True when every View in Views... can be read and written by kernels running on ExecutionSpace.
template <class ExecutionSpace, class... Views>
struct accessible_from
    : std::integral_constant<
          bool,
          (Kokkos::SpaceAccessibility<ExecutionSpace, typename Views::memory_space>::accessible && ...)> {};

// Allocation of an uninitialised, labelled View on the stream of `space`.
template <class View, class ExecutionSpace, class... Extents>
View allocate(ExecutionSpace const& space, std::string const& label, Extents... extents) {
  return View(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, label), extents...);
}

// Uploads a small host array (a time grid, flip angles, an AIF) into a labelled View of MemorySpace.
// Synchronous: the host buffer is a temporary.
template <class MemorySpace, class ExecutionSpace>
Kokkos::View<double const*, MemorySpace> to_device(ExecutionSpace const& space,
                                                   std::vector<double> const& values,
                                                   std::string const& label) {
  auto const view = allocate<Kokkos::View<double*, MemorySpace>>(space, label, values.size());
  auto const host = Kokkos::create_mirror_view(view);
  for (std::size_t j = 0; j < values.size(); ++j) host(j) = values[j];
  Kokkos::deep_copy(view, host);
  return view;
}

// Copies a host (voxel, time) array of any layout into a Series in MemorySpace, whose layout is the space's
// own (LayoutLeft on GPUs): the layout change happens on the host, then one deep_copy moves the data.
template <class MemorySpace, class HostView>
Series<MemorySpace> upload_series(HostView const& host, std::string const& label) {
  static_assert(HostView::rank == 2, "voxflow::upload_series: expects a (voxel, time) View");
  Series<MemorySpace> series(Kokkos::view_alloc(Kokkos::WithoutInitializing, label), host.extent(0),
                             host.extent(1));
  auto mirror = Kokkos::create_mirror_view(series);
  for (std::size_t v = 0; v < host.extent(0); ++v)
    for (std::size_t j = 0; j < host.extent(1); ++j) mirror(v, j) = host(v, j);
  Kokkos::deep_copy(series, mirror);
  return series;
}

}  // namespace voxflow

#endif
