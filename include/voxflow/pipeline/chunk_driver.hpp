// The one upload → compute → download loop (DESIGN.md §2, §9): every stage that touches all voxels of a
// subject (T1 mapping, AIF detection, fitting) runs through for_each_chunk, so data cross between host and
// device only at chunk boundaries, device buffers are allocated once per run of the loop (not per chunk), and
// a voxel range is what a later MPI layer needs to split one huge subject across ranks.
#ifndef VOXFLOW_PIPELINE_CHUNK_DRIVER_HPP
#define VOXFLOW_PIPELINE_CHUNK_DRIVER_HPP

#include <voxflow/core/device_memory.hpp>
#include <voxflow/core/views.hpp>
#include <voxflow/pipeline/progress.hpp>

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstddef>
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

// At most this many voxels per chunk on the host, whatever is requested: a host chunk is no round trip, only
// its buffers (the stage's outputs and workspaces, copied into the subject's maps afterwards), which beside
// the subject's series were a tenth of a large subject's peak memory with one chunk of all its voxels; 65,536
// voxels still give every host thread thousands per parallel loop.
constexpr std::int64_t host_chunk_voxels = std::int64_t{1} << 16;
// Rows the kernels cannot take as they are (a float32 series) are converted into a double buffer per chunk:
// 8,192 voxels keep it to a few MB (5 MB at 80 frames), against the half of the series that float32 saves.
constexpr std::int64_t host_converted_chunk_voxels = std::int64_t{1} << 13;

// Voxels per chunk on a device with `free_bytes` free: at most `requested`, and no more than half of the free
// memory holds, counting twice the chunk's own buffers (`bytes_per_voxel`) for what the stage allocates per
// chunk beside them (curves, workspaces). `free_bytes` 0 (host spaces) leaves `requested` as it is.
inline std::int64_t memory_limited_chunk_voxels(std::int64_t requested, std::int64_t bytes_per_voxel,
                                                std::size_t free_bytes) {
  requested = std::max<std::int64_t>(1, requested);
  if (free_bytes == 0 || bytes_per_voxel <= 0) return requested;
  auto const fitting =
      static_cast<std::int64_t>(free_bytes / 2 / static_cast<std::size_t>(2 * bytes_per_voxel));
  return std::max<std::int64_t>(1, std::min(requested, fitting));
}

namespace detail {

// Buffers of one chunk size in MemorySpace, reallocated when the size changes (at most twice: full chunks,
// the last one). `copy_data` false: the input rows are handed over without a copy, so no data buffer is
// needed.
template <class MemorySpace>
struct ChunkBuffers {
  Series<MemorySpace> data;
  Maps<MemorySpace> values;
  StatusMap<MemorySpace> status;

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
  }

 private:
  std::int64_t rows_ = -1;
};

// Host copies with the device buffers' layout, in staging memory (page-locked for CUDA), so that each
// deep_copy between them is one asynchronous DMA on the stage's execution space instance.
template <class MemorySpace>
struct StagingBuffers {
  using Staging = staging_space_t<MemorySpace>;
  Kokkos::View<double**, typename Series<MemorySpace>::array_layout, Staging> data;
  Kokkos::View<double**, typename Maps<MemorySpace>::array_layout, Staging> values;
  Kokkos::View<std::uint8_t*, Staging> status;

  void resize_data(std::int64_t rows, std::int64_t samples) {
    if (rows == data_rows_) return;
    data_rows_ = rows;
    data = decltype(data)(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::chunk::staged_data"), rows,
        samples);
  }
  void resize_results(std::int64_t rows, std::int64_t columns, bool with_status) {
    if (rows == result_rows_) return;
    result_rows_ = rows;
    values = decltype(values)(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::chunk::staged_values"), rows,
        columns);
    status = decltype(status)(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::chunk::staged_status"),
        with_status ? rows : 0);
  }

 private:
  std::int64_t data_rows_ = -1, result_rows_ = -1;
};

// A host (voxel, sample) array whose rows can be handed to kernels in HostSpace without a copy.
template <class MemorySpace, class HostSeries>
constexpr bool aliasable_rows = std::is_same<MemorySpace, Kokkos::HostSpace>::value&&
    std::is_same<typename HostSeries::array_layout, Kokkos::LayoutRight>::value&&
        std::is_same<typename HostSeries::value_type, double>::value;

// Rows [begin, begin + rows) of `series` into `staged` (host memory), converted to its value type, by the
// host's threads.
template <class Staged, class HostSeries>
void pack_rows(Staged const& staged, HostSeries const& series, std::int64_t begin, std::int64_t rows) {
  std::int64_t const samples = static_cast<std::int64_t>(series.extent(1));
  Kokkos::parallel_for("voxflow::pipeline::for_each_chunk: pack rows",
                       Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, rows), [&](std::int64_t v) {
                         for (std::int64_t j = 0; j < samples; ++j) staged(v, j) = series(begin + v, j);
                       });
  Kokkos::DefaultHostExecutionSpace().fence();
}

template <class Values, class Status>
void unpack_rows(Values const& values, Status const& status, ChunkOutputs const& out, std::int64_t begin,
                 std::int64_t rows) {
  std::int64_t const columns = static_cast<std::int64_t>(out.values.extent(1));
  bool const with_status = out.status.extent(0) > 0;
  for (std::int64_t v = 0; v < rows; ++v) {
    for (std::int64_t k = 0; k < columns; ++k) out.values(begin + v, k) = values(v, k);
    if (with_status) out.status(begin + v) = status(v);
  }
}

// What every chunk of one loop has: samples per input row, result columns, whether there is a status map.
struct ChunkShape {
  std::int64_t samples = 0, columns = 0;
  bool with_status = false;
};
template <class HostSeries>
ChunkShape chunk_shape(HostSeries const& series, ChunkOutputs const& out) {
  return {static_cast<std::int64_t>(series.extent(1)), static_cast<std::int64_t>(out.values.extent(1)),
          out.status.extent(0) > 0};
}

// The host loop: chunk by chunk, in the host's own memory (rows handed over without a copy where they can
// be).
template <class ExecutionSpace, class HostSeries, class Stage>
void host_chunks(ExecutionSpace const& space, HostSeries const& series, VoxelRange range,
                 std::int64_t chunk_voxels, ChunkOutputs const& out, Stage& stage, Progress* progress) {
  using Mem = typename ExecutionSpace::memory_space;
  auto const [samples, columns, with_status] = chunk_shape(series, out);
  ChunkBuffers<Mem> buffers;
  for (std::int64_t begin = range.begin; begin < range.end; begin += chunk_voxels) {
    std::int64_t const end = std::min(range.end, begin + chunk_voxels);
    std::int64_t const rows = end - begin;
    buffers.resize(rows, samples, columns, with_status, !aliasable_rows<Mem, HostSeries>);
    Chunk<Mem> chunk{begin, end, buffers.data, buffers.values, buffers.status};
    if constexpr (aliasable_rows<Mem, HostSeries>) {
      chunk.data = Kokkos::subview(series, std::make_pair(begin, end), Kokkos::ALL);
    } else {
      pack_rows(buffers.data, series, begin, rows);
    }
    stage(chunk);
    fence(space, "voxflow::pipeline::for_each_chunk: chunk done");
    unpack_rows(buffers.values, buffers.status, out, begin, rows);
    if (progress != nullptr) progress->update(end - range.begin);
  }
}

// The device loop: every chunk goes up from and comes down into staging buffers by asynchronous copies on
// `space`, and while the device works on chunk k (upload, stage, download, queued in order on one instance)
// the host packs chunk k + 1 into the other staging buffer, so the host's layout work overlaps the device's.
// Runs on any execution space (the tests run it on host spaces to compare with host_chunks).
template <class ExecutionSpace, class HostSeries, class Stage>
void staged_chunks(ExecutionSpace const& space, HostSeries const& series, VoxelRange range,
                   std::int64_t chunk_voxels, ChunkOutputs const& out, Stage& stage, Progress* progress) {
  using Mem = typename ExecutionSpace::memory_space;
  ChunkBuffers<Mem> buffers;
  StagingBuffers<Mem> staging[2];  // chunk k's and chunk k + 1's
  auto const [samples, columns, with_status] = chunk_shape(series, out);
  auto rows_from = [&](std::int64_t begin) { return std::min(range.end, begin + chunk_voxels) - begin; };
  if (range.begin < range.end) {
    staging[0].resize_data(rows_from(range.begin), samples);
    pack_rows(staging[0].data, series, range.begin, rows_from(range.begin));
  }
  int slot = 0;
  for (std::int64_t begin = range.begin; begin < range.end; begin += chunk_voxels, slot = 1 - slot) {
    std::int64_t const rows = rows_from(begin);
    buffers.resize(rows, samples, columns, with_status, true);
    StagingBuffers<Mem>& staged = staging[slot];
    staged.resize_results(rows, columns, with_status);
    Kokkos::deep_copy(space, buffers.data, staged.data);
    Chunk<Mem> chunk{begin, begin + rows, buffers.data, buffers.values, buffers.status};
    stage(chunk);
    Kokkos::deep_copy(space, staged.values, buffers.values);
    if (with_status) Kokkos::deep_copy(space, staged.status, buffers.status);
    std::int64_t const next = begin + chunk_voxels;
    if (next < range.end) {
      StagingBuffers<Mem>& following = staging[1 - slot];
      following.resize_data(rows_from(next), samples);
      pack_rows(following.data, series, next, rows_from(next));
    }
    fence(space, "voxflow::pipeline::for_each_chunk: chunk downloaded");
    unpack_rows(staged.values, staged.status, out, begin, rows);
    if (progress != nullptr) progress->update(begin + rows - range.begin);
  }
}

}  // namespace detail

// Runs `stage(chunk)` over the voxels of `range` in chunks of at most `chunk_voxels` (on a device, also no
// more than its free memory holds: memory_limited_chunk_voxels): uploads the chunk's rows of `series` (a host
// (voxel, sample) array), lets the stage fill the chunk's values (as many columns as out.values has) and
// status, and copies them into rows [begin, end) of `out`. `progress`, when given, is told after every chunk
// how many voxels of the range are done. The stage queues its work on `space`; it may fence, but must not
// rely on the chunk's buffers outliving the call.
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
  constexpr bool on_host = Kokkos::SpaceAccessibility<Kokkos::HostSpace, Mem>::accessible;
  if constexpr (on_host) {
    constexpr std::int64_t most =
        detail::aliasable_rows<Mem, HostSeries> ? host_chunk_voxels : host_converted_chunk_voxels;
    detail::host_chunks(space, series, range, std::clamp<std::int64_t>(chunk_voxels, 1, most), out, stage,
                        progress);
  } else {
    auto const shape = detail::chunk_shape(series, out);
    std::int64_t const bytes_per_voxel =
        static_cast<std::int64_t>(sizeof(double)) * (shape.samples + shape.columns) +
        (shape.with_status ? 1 : 0);
    detail::staged_chunks(
        space, series, range,
        memory_limited_chunk_voxels(chunk_voxels, bytes_per_voxel, free_memory_bytes(space)), out, stage,
        progress);
  }
  if (progress != nullptr) progress->finish();
}

}  // namespace voxflow::pipeline

#endif
