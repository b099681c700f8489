// The cohort ledger's writer (cohort/ledger_writer.hpp): work proportional to the cohort, not to its square,
// .bidsignore written once per cohort, and the file equal to every outcome once flushed.
#include "pipeline_test.hpp"

#include <voxflow/cohort/ledger_writer.hpp>

#include <gtest/gtest.h>

#include <filesystem>

namespace fs = std::filesystem;
using namespace voxflow::cohort;

namespace {

TEST(CohortLedgerRewrites, ASmallCohortIsRewrittenAtEachChangeALargeOneInBatchesOrWhenStale) {
  EXPECT_FALSE(ledger_rewrite_due(0, 10, 100.0, 10.0));
  EXPECT_TRUE(ledger_rewrite_due(1, 10, 0.0, 10.0));
  EXPECT_TRUE(ledger_rewrite_due(1, 127, 0.0, 10.0));
  // 10,000 subjects: one rewrite per 156 changes, unless a change waits 10 s.
  EXPECT_FALSE(ledger_rewrite_due(155, 10000, 0.0, 10.0));
  EXPECT_TRUE(ledger_rewrite_due(156, 10000, 0.0, 10.0));
  EXPECT_FALSE(ledger_rewrite_due(1, 10000, 9.9, 10.0));
  EXPECT_TRUE(ledger_rewrite_due(1, 10000, 10.0, 10.0));
}

class CohortLedgerWriter : public voxflow::testing::PipelineTest {};

TEST_F(CohortLedgerWriter, ACohortOfThousandsIsRewrittenAFewDozenTimesAndTheBidsignoreOnce) {
  std::size_t const n = 3200;
  std::vector<SubjectOutcome> pending(n);
  for (std::size_t i = 0; i < n; ++i) pending[i].subject = "sub-" + std::to_string(i);
  auto const path = (dir_ / "out" / "cohort_status.tsv").string();
  LedgerWriter ledger(path, pending, 1e9);
  EXPECT_EQ(voxflow::testing::read_file(path), ledger_text(pending));
  auto const ignore = dir_ / "out" / ".bidsignore";
  // The ledger's pattern (*_status.tsv, which also hides each subject's status table).
  EXPECT_NE(voxflow::testing::read_file(ignore).find("_status.tsv"), std::string::npos);
  fs::remove(ignore);  // no ledger update may write it again

  std::vector<SubjectOutcome> expected = pending;
  for (std::size_t i = 0; i < n; ++i) {
    SubjectOutcome running = pending[i];
    running.status = SubjectStatus::running;
    running.rank = static_cast<int>(i % 7);
    ledger.record(i, running);
    SubjectOutcome done = running;
    done.status = SubjectStatus::done;
    done.voxels = static_cast<std::int64_t>(i);
    ledger.record(i, done);
    expected[i] = done;
  }
  ledger.flush();
  // 2n changes in batches of n/64, and the first write: the bytes written grow as n, not n^2.
  EXPECT_LE(ledger.rewrites(), 1u + 2 * 64 + 1);
  EXPECT_GE(ledger.rewrites(), 1u + 2 * 64 - 1);
  EXPECT_EQ(voxflow::testing::read_file(path), ledger_text(expected));
  EXPECT_FALSE(fs::exists(ignore));
}

TEST_F(CohortLedgerWriter, WhatIsUnwrittenIsWrittenWhenTheWriterEnds) {
  auto const path = (dir_ / "cohort_status.tsv").string();
  std::vector<SubjectOutcome> outcomes(1000);
  for (std::size_t i = 0; i < outcomes.size(); ++i) outcomes[i].subject = "sub-" + std::to_string(i);
  {
    LedgerWriter ledger(path, outcomes, 1e9);
    outcomes[5].status = SubjectStatus::failed;
    outcomes[5].message = "no mask";
    ledger.record(5, outcomes[5]);  // 1 of a batch of 15: not yet written
    EXPECT_NE(voxflow::testing::read_file(path), ledger_text(outcomes));
  }
  EXPECT_EQ(voxflow::testing::read_file(path), ledger_text(outcomes));
}

}  // namespace
