// The one upload → compute → download loop (DESIGN.md §2, §9): every stage that touches all voxels of a
// subject (T1 mapping, AIF detection, fitting) runs through for_each_chunk, so data cross between host and
// device only at chunk boundaries, device buffers are allocated once per run of the loop (not per chunk), and
// a voxel range is what a later MPI layer needs to split one huge subject across ranks.
#ifndef VOXFLOW_PIPELINE_CHUNK_DRIVER_HPP
#define VOXFLOW_PIPELINE_CHUNK_DRIVER_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/pipeline/progress.hpp>

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace voxflow::pipeline {

// Subject voxels [begin, end).
struct VoxelRange {
  std::int64_t begin = 0, end = 0;
  std::int64_t size() const { return end - begin; }
};

// Where a chunked stage's results go on the host, rows indexed by subject voxel: a block of columns of the
// subject's maps (possibly none) and, optionally, the status map.
struct ChunkOutputs {
  Kokkos::View<double**, Kokkos::LayoutStride, Kokkos::HostSpace> values;
  Kokkos::View<std::uint8_t*, Kokkos::LayoutStride, Kokkos::HostSpace> status;  // empty: the stage has none
};

// Columns [first, first + count) of a (voxel, map) host array, as ChunkOutputs.
template <class HostMaps>
Kokkos::View<double**, Kokkos::LayoutStride, Kokkos::HostSpace> map_columns(HostMaps const& maps,
                                                                            std::size_t first,
                                                                            std::size_t count) {
  return Kokkos::subview(maps, Kokkos::ALL, std::make_pair(first, first + count));
}

// One chunk as a stage sees it, in the execution space's memory.
template <class MemorySpace>
struct Chunk {
  std::int64_t begin = 0, end = 0;  // subject voxels of this chunk
  Series<MemorySpace> data;         // (voxel in chunk, sample): rows begin..end of the input series
  Maps<MemorySpace> values;         // (voxel in chunk, column): filled by the stage
  StatusMap<MemorySpace> status;    // filled by the stage (empty when the outputs have no status)
  std::int64_t size() const { return end - begin; }

  // Per-voxel values of the subject (one per voxel, e.g. T1 or B1) for this chunk's voxels, uploaded.
  Kokkos::View<double const*, MemorySpace> voxel_values(std::vector<double> const& subject_values,
                                                        std::string const& label) const {
    Kokkos::View<double*, MemorySpace> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, label),
                                         subject_values.empty() ? 0 : size());
    if (subject_values.empty()) return v;
    auto h = Kokkos::create_mirror_view(v);
    for (std::int64_t i = 0; i < size(); ++i) h(i) = subject_values[static_cast<std::size_t>(begin + i)];
    Kokkos::deep_copy(v, h);
    return v;
  }
};

namespace detail {

// Device buffers of one chunk size, allocated when the size changes (at most twice: full chunks, the last
// one).
template <class MemorySpace>
struct ChunkBuffers {
  Series<MemorySpace> data;
  Maps<MemorySpace> values;
  StatusMap<MemorySpace> status;
  typename Series<MemorySpace>::HostMirror data_host;
  typename Maps<MemorySpace>::HostMirror values_host;
  typename StatusMap<MemorySpace>::HostMirror status_host;

  // `copy_data` false: the input rows are handed over without a copy, so no data buffer is needed.
  void resize(std::int64_t rows, std::int64_t samples, std::int64_t columns, bool with_status,
              bool copy_data) {
    if (rows == rows_) return;
    rows_ = rows;
    data =
        Series<MemorySpace>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::chunk::data"),
                            copy_data ? rows : 0, samples);
    values = Maps<MemorySpace>(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::chunk::values"), rows, columns);
    status = StatusMap<MemorySpace>(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::chunk::status"),
        with_status ? rows : 0);
    data_host = Kokkos::create_mirror_view(data);
    values_host = Kokkos::create_mirror_view(values);
    status_host = Kokkos::create_mirror_view(status);
  }

 private:
  std::int64_t rows_ = -1;
};

// A host (voxel, sample) array whose rows can be handed to kernels in HostSpace without a copy.
template <class MemorySpace, class HostSeries>
constexpr bool aliasable_rows = std::is_same<MemorySpace, Kokkos::HostSpace>::value&&
    std::is_same<typename HostSeries::array_layout, Kokkos::LayoutRight>::value&&
        std::is_same<typename HostSeries::value_type, double>::value;

}  // namespace detail

// Runs `stage(chunk)` over the voxels of `range` in chunks of at most `chunk_voxels`: uploads the chunk's
// rows of `series` (a host (voxel, sample) array), lets the stage fill the chunk's values (as many columns as
// out.values has) and status, and copies them into rows [begin, end) of `out`. `progress`, when given, is
// told after every chunk how many voxels of the range are done.
template <class ExecutionSpace, class HostSeries, class Stage>
void for_each_chunk(ExecutionSpace const& space, HostSeries const& series, VoxelRange range,
                    std::int64_t chunk_voxels, ChunkOutputs const& out, Stage&& stage,
                    Progress* progress = nullptr) {
  using Mem = typename ExecutionSpace::memory_space;
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "voxflow::pipeline::for_each_chunk: the first argument must be a Kokkos execution space");
  static_assert(HostSeries::rank == 2,
                "voxflow::pipeline::for_each_chunk: expects a (voxel, sample) host array");
  ScopedRegion region("voxflow::pipeline::for_each_chunk");
  std::int64_t const samples = static_cast<std::int64_t>(series.extent(1));
  std::int64_t const columns = static_cast<std::int64_t>(out.values.extent(1));
  bool const with_status = out.status.extent(0) > 0;
  chunk_voxels = std::max<std::int64_t>(1, chunk_voxels);
  detail::ChunkBuffers<Mem> buffers;
  for (std::int64_t begin = range.begin; begin < range.end; begin += chunk_voxels) {
    std::int64_t const end = std::min(range.end, begin + chunk_voxels);
    std::int64_t const rows = end - begin;
    buffers.resize(rows, samples, columns, with_status, !detail::aliasable_rows<Mem, HostSeries>);
    Chunk<Mem> chunk{begin, end, buffers.data, buffers.values, buffers.status};
    if constexpr (detail::aliasable_rows<Mem, HostSeries>) {
      chunk.data = Kokkos::subview(series, std::make_pair(begin, end), Kokkos::ALL);
    } else {
      for (std::int64_t v = 0; v < rows; ++v)
        for (std::int64_t j = 0; j < samples; ++j) buffers.data_host(v, j) = series(begin + v, j);
      Kokkos::deep_copy(space, buffers.data, buffers.data_host);
    }
    stage(chunk);
    Kokkos::deep_copy(space, buffers.values_host, buffers.values);
    if (with_status) Kokkos::deep_copy(space, buffers.status_host, buffers.status);
    fence(space, "voxflow::pipeline::for_each_chunk: chunk downloaded");
    for (std::int64_t v = 0; v < rows; ++v) {
      for (std::int64_t k = 0; k < columns; ++k) out.values(begin + v, k) = buffers.values_host(v, k);
      if (with_status) out.status(begin + v) = buffers.status_host(v);
    }
    if (progress != nullptr) progress->update(end - range.begin);
  }
  if (progress != nullptr) progress->finish();
}

}  // namespace voxflow::pipeline

#endif
