// The chunk driver: every voxel of the range reaches the stage once with its own rows, results land in their
// rows of the outputs, the device loop (staged, double-buffered) gives bit for bit what the host loop gives,
// and a device's free memory caps the chunk size while the host keeps the size it was given.
#include "execution_spaces.hpp"

#include <voxflow/pipeline/chunk_driver.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace {

using voxflow::pipeline::Chunk;
using voxflow::pipeline::ChunkOutputs;
using voxflow::pipeline::VoxelRange;

using HostSeries = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace>;
using HostMaps = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace>;
using HostStatus = Kokkos::View<std::uint8_t*, Kokkos::HostSpace>;

// A stage with a result that depends on every sample, the chunk's offset and the voxel's place in the chunk:
// a wrong row, a stale buffer or a chunk handed over twice changes it.
template <class Space>
void weighted_sums(Space const& space, Chunk<typename Space::memory_space> const& chunk) {
  auto const data = chunk.data;
  auto const values = chunk.values;
  auto const status = chunk.status;
  std::int64_t const begin = chunk.begin;
  std::int64_t const samples = static_cast<std::int64_t>(data.extent(1));
  bool const with_status = status.extent(0) > 0;
  Kokkos::parallel_for(
      "voxflow::test::chunk_driver::weighted_sums",
      Kokkos::RangePolicy<Space>(space, 0, static_cast<std::int64_t>(chunk.size())),
      KOKKOS_LAMBDA(std::int64_t v) {
        double sum = 0.0;
        for (std::int64_t j = 0; j < samples; ++j) sum += data(v, j) / (1.0 + static_cast<double>(j));
        values(v, 0) = sum;
        values(v, 1) = static_cast<double>(begin + v);
        if (with_status) status(v) = static_cast<std::uint8_t>((begin + v) % 7);
      });
}

template <class Space>
struct WeightedSums {
  Space space;
  int* calls;
  void operator()(Chunk<typename Space::memory_space>& chunk) const {
    ++*calls;
    weighted_sums(space, chunk);
  }
};

HostSeries test_series(std::int64_t voxels, std::int64_t samples) {
  HostSeries series("series", voxels, samples);
  for (std::int64_t v = 0; v < voxels; ++v)
    for (std::int64_t j = 0; j < samples; ++j)
      series(v, j) = std::sin(0.37 * static_cast<double>(v) + j) * 1e3;
  return series;
}

struct Results {
  HostMaps values;
  HostStatus status;
};

Results empty_results(std::int64_t voxels, bool with_status) {
  Results r{HostMaps("values", voxels, 2), HostStatus("status", with_status ? voxels : 0)};
  Kokkos::deep_copy(r.values, std::numeric_limits<double>::quiet_NaN());
  Kokkos::deep_copy(r.status, std::uint8_t{255});
  return r;
}

// Which loop runs a chunked stage: the public entry point, or one of the two loops directly.
enum class Loop { for_each_chunk, host, staged };

template <class Space>
Results run(Loop loop, HostSeries const& series, VoxelRange range, std::int64_t chunk_voxels,
            bool with_status, int* calls) {
  Space space;
  auto results = empty_results(static_cast<std::int64_t>(series.extent(0)), with_status);
  ChunkOutputs out{voxflow::pipeline::map_columns(results.values, 0, 2), results.status};
  WeightedSums<Space> stage{space, calls};
  if (loop == Loop::for_each_chunk)
    voxflow::pipeline::for_each_chunk(space, series, range, chunk_voxels, out, stage);
  else if (loop == Loop::host)
    voxflow::pipeline::detail::host_chunks(space, series, range, chunk_voxels, out, stage, nullptr);
  else
    voxflow::pipeline::detail::staged_chunks(space, series, range, chunk_voxels, out, stage, nullptr);
  return results;
}

template <class Space>
class ChunkDriver : public ::testing::Test {};
TYPED_TEST_SUITE(ChunkDriver, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(ChunkDriver, EveryVoxelOfTheRangeGetsItsOwnResultAndNoOtherRowIsTouched) {
  std::int64_t const voxels = 103, samples = 9;
  auto const series = test_series(voxels, samples);
  VoxelRange const range{5, 98};
  for (std::int64_t chunk : {1, 7, 93, 500}) {
    int calls = 0;
    auto const r = run<TypeParam>(Loop::for_each_chunk, series, range, chunk, true, &calls);
    EXPECT_EQ(calls, (range.size() + chunk - 1) / chunk) << "chunk " << chunk;
    for (std::int64_t v = 0; v < voxels; ++v) {
      bool const inside = v >= range.begin && v < range.end;
      if (!inside) {
        EXPECT_TRUE(std::isnan(r.values(v, 0))) << "voxel " << v << " outside the range was written";
        EXPECT_EQ(r.status(v), 255);
        continue;
      }
      double expected = 0.0;
      for (std::int64_t j = 0; j < samples; ++j) expected += series(v, j) / (1.0 + static_cast<double>(j));
      EXPECT_NEAR(r.values(v, 0), expected, 1e-12 * std::abs(expected) + 1e-12) << "voxel " << v;
      EXPECT_EQ(r.values(v, 1), static_cast<double>(v)) << "voxel " << v << ", chunk " << chunk;
      EXPECT_EQ(r.status(v), v % 7) << "voxel " << v;
    }
  }
}

TYPED_TEST(ChunkDriver, StagedDeviceLoopGivesBitForBitWhatTheHostLoopGives) {
  if constexpr (!Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                            typename TypeParam::memory_space>::accessible) {
    GTEST_SKIP()
        << "the host loop runs on host memory only; the device runs the staged loop in every other test";
  } else {
    std::int64_t const voxels = 64, samples = 17;
    auto const series = test_series(voxels, samples);
    for (bool with_status : {false, true}) {
      for (std::int64_t chunk : {1, 5, 64, 100}) {
        int host_calls = 0, staged_calls = 0;
        auto const host = run<TypeParam>(Loop::host, series, {0, voxels}, chunk, with_status, &host_calls);
        auto const staged =
            run<TypeParam>(Loop::staged, series, {0, voxels}, chunk, with_status, &staged_calls);
        EXPECT_EQ(host_calls, staged_calls);
        for (std::int64_t v = 0; v < voxels; ++v) {
          for (int k = 0; k < 2; ++k)
            EXPECT_EQ(host.values(v, k), staged.values(v, k)) << "voxel " << v << ", chunk " << chunk;
          if (with_status) {
            EXPECT_EQ(host.status(v), staged.status(v)) << "voxel " << v << ", chunk " << chunk;
          }
        }
      }
    }
  }
}

TYPED_TEST(ChunkDriver, AnEmptyRangeNeverCallsTheStage) {
  auto const series = test_series(10, 3);
  int calls = 0;
  auto const r = run<TypeParam>(Loop::for_each_chunk, series, {4, 4}, 8, false, &calls);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(std::isnan(r.values(4, 0)));
}

TEST(ChunkSize, HostSpacesKeepTheRequestedSize) {
  EXPECT_EQ(voxflow::free_memory_bytes(Kokkos::DefaultHostExecutionSpace()), 0u);
  EXPECT_EQ(voxflow::pipeline::memory_limited_chunk_voxels(1 << 18, 648, 0), 1 << 18);
  EXPECT_EQ(voxflow::pipeline::memory_limited_chunk_voxels(0, 648, 0), 1);
}

TEST(ChunkSize, ADeviceChunkTakesAtMostAQuarterOfTheFreeMemoryInItsOwnBuffers) {
  std::int64_t const per_voxel = 8 * (80 + 6) + 1;  // extended Tofts, T = 80: series row, maps, status
  std::size_t const free_bytes = std::size_t{1} << 30;
  auto const chunk =
      voxflow::pipeline::memory_limited_chunk_voxels(std::int64_t{1} << 40, per_voxel, free_bytes);
  EXPECT_EQ(chunk, static_cast<std::int64_t>(free_bytes / 4 / static_cast<std::size_t>(per_voxel)));
  EXPECT_LE(static_cast<std::size_t>(chunk * per_voxel), free_bytes / 4);
  EXPECT_EQ(voxflow::pipeline::memory_limited_chunk_voxels(1000, per_voxel, free_bytes), 1000);
  EXPECT_EQ(voxflow::pipeline::memory_limited_chunk_voxels(1000, per_voxel, 100), 1);  // never zero
}

}  // namespace
