// The cohort ledger's rows: seven tab-separated fields on one line whatever a message holds, read back to the
// same outcome (how MPI workers report to rank 0), and unknown text refused.
#include <voxflow/cohort/ledger.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

using namespace voxflow::cohort;

namespace {

TEST(CohortLedger, ARowIsOneLineOfSevenFieldsAndReadsBackToTheSameOutcome) {
  SubjectOutcome o;
  o.subject = "sub-01_ses-2";
  o.status = SubjectStatus::failed;
  o.rank = 3;
  o.host = "node7";
  o.seconds = 12.5;
  o.voxels = 123456789012;
  o.message = "input error: a.nii.gz:\tfield 'dims'\nexpected 3-D";
  std::string const row = ledger_row(o);
  EXPECT_EQ(row,
            "sub-01_ses-2\tfailed\t3\tnode7\t12.500\t123456789012\tinput error: a.nii.gz: field 'dims' "
            "expected 3-D");
  auto const back = parse_ledger_row(row);
  EXPECT_EQ(back.subject, o.subject);
  EXPECT_EQ(back.status, o.status);
  EXPECT_EQ(back.rank, o.rank);
  EXPECT_EQ(back.host, o.host);
  EXPECT_DOUBLE_EQ(back.seconds, 12.5);
  EXPECT_EQ(back.voxels, o.voxels);
  EXPECT_EQ(back.message, "input error: a.nii.gz: field 'dims' expected 3-D");
}

TEST(CohortLedger, TheTextHasTheIssuesHeaderAndOneRowPerSubject) {
  std::vector<SubjectOutcome> outcomes(2);
  outcomes[0].subject = "sub-01";
  outcomes[1].subject = "sub-02";
  outcomes[1].status = SubjectStatus::done;
  EXPECT_EQ(ledger_text(outcomes),
            "subject\tstatus\trank\thost\tseconds\tvoxels\tmessage\n"
            "sub-01\tpending\t-1\t\t0.000\t0\t\n"
            "sub-02\tdone\t-1\t\t0.000\t0\t\n");
}

TEST(CohortLedger, TextThatIsNotARowIsRefused) {
  EXPECT_THROW(parse_ledger_row("sub-01\tdone\t0"), std::invalid_argument);
  EXPECT_THROW(parse_ledger_row("sub-01\tfinished\t0\th\t1.0\t1\tm"), std::invalid_argument);
}

}  // namespace
