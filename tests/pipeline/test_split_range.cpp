// How a split subject's voxels are shared among its parts (pipeline/subject_split.hpp), and how the ledger
// records the ranks of a split subject.
#include <voxflow/cohort/ledger.hpp>
#include <voxflow/pipeline/subject_split.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using voxflow::pipeline::split_range;
using voxflow::pipeline::VoxelRange;

// Every part's range, in part order.
std::vector<VoxelRange> ranges(std::int64_t voxels, int parts, std::int64_t granule = 1) {
  std::vector<VoxelRange> out;
  for (int p = 0; p < parts; ++p) out.push_back(split_range(voxels, p, parts, granule));
  return out;
}

// The ranges tile [0, voxels) in order.
void expect_tiling(std::vector<VoxelRange> const& r, std::int64_t voxels) {
  std::int64_t next = 0;
  for (auto const& range : r) {
    EXPECT_EQ(range.begin, next);
    EXPECT_GE(range.size(), 0);
    next = range.end;
  }
  EXPECT_EQ(next, voxels);
}

TEST(SplitRange, UnevenSizesDifferByAtMostOneTheFirstPartsLarger) {
  auto const r = ranges(10, 3);
  expect_tiling(r, 10);
  EXPECT_EQ(r[0].size(), 4);
  EXPECT_EQ(r[1].size(), 3);
  EXPECT_EQ(r[2].size(), 3);
  auto const even = ranges(12, 4);
  for (auto const& range : even) EXPECT_EQ(range.size(), 3);
}

TEST(SplitRange, MorePartsThanVoxelsLeavesTheLastPartsEmpty) {
  auto const r = ranges(3, 5);
  expect_tiling(r, 3);
  for (int p = 0; p < 3; ++p) EXPECT_EQ(r[static_cast<std::size_t>(p)].size(), 1);
  EXPECT_EQ(r[3].size(), 0);
  EXPECT_EQ(r[4].size(), 0);
  EXPECT_EQ(r[4].begin, 3);
}

TEST(SplitRange, AnEmptyMaskGivesEveryPartAnEmptyRange) {
  for (auto const& range : ranges(0, 4, 64)) {
    EXPECT_EQ(range.begin, 0);
    EXPECT_EQ(range.end, 0);
  }
}

TEST(SplitRange, GranulesKeepEveryBoundaryOnAMultipleAndTheShortGranuleLast) {
  auto const r = ranges(200, 3, 64);  // granules of 64, 64, 64, 8
  expect_tiling(r, 200);
  EXPECT_EQ(r[0].end, 128);
  EXPECT_EQ(r[1].end, 192);
  EXPECT_EQ(r[2].size(), 8);
  for (auto const& range : r) EXPECT_EQ(range.begin % 64, 0);
  auto const few = ranges(100, 4, 64);  // two granules for four parts
  expect_tiling(few, 100);
  EXPECT_EQ(few[0].size(), 64);
  EXPECT_EQ(few[1].size(), 36);
  EXPECT_EQ(few[2].size(), 0);
  EXPECT_EQ(few[3].size(), 0);
}

TEST(SplitRange, OnePartTakesEverything) {
  auto const r = split_range(17, 0, 1, 64);
  EXPECT_EQ(r.begin, 0);
  EXPECT_EQ(r.end, 17);
}

TEST(SplitRange, CountsAndOffsetsFollowTheRangesInElements) {
  std::vector<std::int64_t> counts, offsets;
  voxflow::pipeline::split_counts(130, 2, 3, counts, offsets);  // granules 64, 64, 2: parts of 128 and 2
  EXPECT_EQ(counts, (std::vector<std::int64_t>{128 * 3, 2 * 3}));
  EXPECT_EQ(offsets, (std::vector<std::int64_t>{0, 128 * 3}));
}

TEST(SplitLedger, ASplitSubjectsRankColumnNamesItsRanksAndReadsBack) {
  voxflow::cohort::SubjectOutcome o;
  o.subject = "sub-01";
  o.status = voxflow::cohort::SubjectStatus::done;
  o.rank = 0;
  o.ranks = 4;
  auto const row = voxflow::cohort::ledger_row(o);
  EXPECT_NE(row.find("\t0-3\t"), std::string::npos) << row;
  auto const back = voxflow::cohort::parse_ledger_row(row);
  EXPECT_EQ(back.rank, 0);
  EXPECT_EQ(back.ranks, 4);
  o.rank = -1;
  o.ranks = 1;
  auto const pending = voxflow::cohort::parse_ledger_row(voxflow::cohort::ledger_row(o));
  EXPECT_EQ(pending.rank, -1);
  EXPECT_EQ(pending.ranks, 1);
  EXPECT_THROW(voxflow::cohort::parse_ledger_row("sub-01\tdone\t0-x\th\t1.0\t3\tm"), std::invalid_argument);
  EXPECT_THROW(voxflow::cohort::parse_ledger_row("sub-01\tdone\t3-1\th\t1.0\t3\tm"), std::invalid_argument);
}

}  // namespace
