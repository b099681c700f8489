// The cohort ledger's rows: seven tab-separated fields on one line whatever a message holds, read back to the
// same outcome (how MPI workers report to rank 0), and unknown text refused. Merging a process's own rows
// into the ledger (what Slurm array tasks do): several processes at once leave one row per subject, each
// subject's last word kept. `voxflow run cohort.yaml --subject-index N`: one subject per process, many at
// once into one ledger, and an index outside the cohort refused naming the count.
#include "cohort_contract.hpp"

#include <voxflow/cohort/ledger.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

using namespace voxflow::cohort;
namespace fs = std::filesystem;

namespace {

SubjectOutcome outcome(std::string subject, SubjectStatus status, double seconds = 0.0) {
  SubjectOutcome o;
  o.subject = std::move(subject);
  o.status = status;
  o.seconds = seconds;
  return o;
}

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

TEST(CohortLedgerMerge, OwnRowsWinRecordedRowsStayNewSubjectsArePendingInTheCohortsOrder) {
  std::vector<SubjectOutcome> const recorded{outcome("sub-03", SubjectStatus::done, 3.0),
                                             outcome("sub-01", SubjectStatus::running, 1.0),
                                             outcome("sub-gone", SubjectStatus::done)};
  auto const merged =
      merge_ledger({"sub-01", "sub-02", "sub-03"}, recorded, {outcome("sub-01", SubjectStatus::failed, 9.0)});
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0].subject, "sub-01");
  EXPECT_EQ(merged[0].status, SubjectStatus::failed);
  EXPECT_DOUBLE_EQ(merged[0].seconds, 9.0);
  EXPECT_EQ(merged[1].subject, "sub-02");
  EXPECT_EQ(merged[1].status, SubjectStatus::pending);
  EXPECT_EQ(merged[2].subject, "sub-03");
  EXPECT_EQ(merged[2].status, SubjectStatus::done);
  EXPECT_DOUBLE_EQ(merged[2].seconds, 3.0);
}

class CohortLedgerFile : public voxflow::testing::CohortTest {};

TEST_F(CohortLedgerFile, ReadingGivesTheRowsWrittenNoneWithoutALedgerAndLeavesForeignLinesOut) {
  std::string const path = (dir_ / "cohort_status.tsv").string();
  EXPECT_TRUE(read_ledger(path).empty());
  write_ledger(path,
               {outcome("sub-01", SubjectStatus::done, 1.5), outcome("sub-02", SubjectStatus::pending)});
  auto rows = read_ledger(path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].subject, "sub-01");
  EXPECT_EQ(rows[0].status, SubjectStatus::done);
  EXPECT_DOUBLE_EQ(rows[0].seconds, 1.5);
  EXPECT_EQ(rows[1].status, SubjectStatus::pending);
  std::ofstream(path, std::ios::app) << "someone's note\n";
  EXPECT_EQ(read_ledger(path).size(), 2u);
}

TEST_F(CohortLedgerFile, AnUpdateMergesIntoWhatAnotherProcessWroteAndListsTheLockInBidsignore) {
  std::string const path = (dir_ / "cohort_status.tsv").string();
  std::vector<std::string> const cohort{"sub-01", "sub-02"};
  update_ledger(path, cohort, {outcome("sub-02", SubjectStatus::done)});
  update_ledger(path, cohort, {outcome("sub-01", SubjectStatus::running)});
  auto const rows = read_ledger(path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].status, SubjectStatus::running);
  EXPECT_EQ(rows[1].status, SubjectStatus::done);
  std::string const ignore = voxflow::testing::read_file(dir_ / ".bidsignore");
  EXPECT_NE(ignore.find("*_status.tsv\n"), std::string::npos) << ignore;
  EXPECT_NE(ignore.find("*_status.tsv.lock\n"), std::string::npos) << ignore;
}

// Six processes released at once, each merging 40 rows of its own subject: without the lock, one process's
// rewrite would drop rows another wrote in between (a lost update); with it, every subject ends `done` with
// its last row, once, and no temporary file is left behind.
TEST_F(CohortLedgerFile, SeveralProcessesUpdatingAtOnceLeaveOneFinalRowPerSubject) {
  std::string const path = (dir_ / "cohort_status.tsv").string();
  int const processes = 6, updates = 40;
  std::vector<std::string> cohort;
  for (int p = 0; p < processes; ++p) cohort.push_back("sub-" + std::to_string(10 + p));
  std::vector<std::unique_ptr<voxflow::testing::ChildProcess>> children;
  for (int p = 0; p < processes; ++p) {
    std::vector<std::string> args{path, cohort[p], std::to_string(updates)};
    args.insert(args.end(), cohort.begin(), cohort.end());
    children.push_back(std::make_unique<voxflow::testing::ChildProcess>(
        VOXFLOW_LEDGER_TEST_CHILD, args, (dir_ / ("child" + std::to_string(p) + ".err")).string(),
        (dir_ / ("child" + std::to_string(p) + ".out")).string()));
  }
  for (auto& child : children) child->close_stdin();  // all start now
  for (int p = 0; p < processes; ++p)
    EXPECT_EQ(voxflow::testing::exit_code_of(children[p]->wait()), 0)
        << voxflow::testing::read_file(dir_ / ("child" + std::to_string(p) + ".err"));
  auto const rows = read_ledger(path);
  ASSERT_EQ(rows.size(), cohort.size()) << voxflow::testing::read_file(path);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].subject, cohort[i]);
    EXPECT_EQ(rows[i].status, SubjectStatus::done) << voxflow::testing::read_file(path);
    EXPECT_DOUBLE_EQ(rows[i].seconds, updates);
  }
  for (auto const& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
}

// --subject-index: one subject per process, as Slurm array tasks run them.
class CohortSubjectIndex : public voxflow::testing::CohortTest {
 protected:
  // `count` small noise-free subjects sub-01..., each with its own grid, and a cohort file listing them.
  std::string simulate_subjects(int count) {
    return simulate_subjects_of(count, [](int i) { return std::array<int, 3>{5 + i, 6, 2}; });
  }
};

TEST_F(CohortSubjectIndex, RunsOnlyThatSubjectAndRecordsTheOthersAsPending) {
  auto const cohort = simulate_cohort();
  ASSERT_EQ(voxflow({"run", "--quiet", cohort, "--subject-index", "1"}), 0) << err();
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("subject"), "sub-01");
  EXPECT_EQ(rows[0].at("status"), "pending");
  EXPECT_EQ(rows[1].at("subject"), "sub-02");
  EXPECT_EQ(rows[1].at("status"), "done") << rows[1].at("message");
  EXPECT_TRUE(fs::exists(ktrans("sub-02")));
  EXPECT_FALSE(fs::exists(dir_ / "out" / "sub-01"));
}

TEST_F(CohortSubjectIndex, ManyProcessesAtOnceLeaveOneRowDonePerSubjectAndTheSequentialRunsMaps) {
  int const count = 4;
  auto const cohort = simulate_subjects(count);
  std::vector<std::unique_ptr<voxflow::testing::ChildProcess>> tasks;
  for (int i = 0; i < count; ++i)
    tasks.push_back(std::make_unique<voxflow::testing::ChildProcess>(
        VOXFLOW_CLI, std::vector<std::string>{"run", "--quiet", cohort, "--subject-index", std::to_string(i)},
        (dir_ / ("task" + std::to_string(i) + ".err")).string(),
        (dir_ / ("task" + std::to_string(i) + ".out")).string()));
  for (int i = 0; i < count; ++i)
    EXPECT_EQ(voxflow::testing::exit_code_of(tasks[i]->wait()), 0) << err("task" + std::to_string(i));
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(rows[i].at("subject"), "sub-0" + std::to_string(i + 1));
    EXPECT_EQ(rows[i].at("status"), "done") << rows[i].at("message");
  }
  // The same maps as one sequential run of the whole cohort.
  ASSERT_EQ(voxflow({"run", "--quiet", cohort, "--output", (dir_ / "seq").string()}, "seq"), 0) << err("seq");
  for (int i = 1; i <= count; ++i) {
    std::string const id = "sub-0" + std::to_string(i);
    EXPECT_EQ(voxflow::testing::read_file(ktrans(id)), voxflow::testing::read_file(ktrans(id, "seq"))) << id;
  }
}

TEST_F(CohortSubjectIndex, AFailingSubjectExitsSevenAndResumeThenFinishesItAlone) {
  auto const cohort = simulate_cohort();
  ASSERT_EQ(voxflow({"run", "--quiet", cohort, "--subject-index", "0"}, "first"), 0) << err("first");
  fs::rename(dir_ / "sub-02" / "mask.nii.gz", dir_ / "mask-away.nii.gz");
  EXPECT_EQ(voxflow({"run", "--quiet", cohort, "--subject-index", "1"}, "bad"), 7) << err("bad");
  auto rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("status"), "done");
  EXPECT_EQ(rows[1].at("status"), "failed");
  EXPECT_NE(rows[1].at("message").find("mask.nii.gz"), std::string::npos) << rows[1].at("message");
  fs::rename(dir_ / "mask-away.nii.gz", dir_ / "sub-02" / "mask.nii.gz");
  ASSERT_EQ(voxflow({"run", "--quiet", cohort, "--subject-index", "1", "--resume"}, "again"), 0)
      << err("again");
  rows = ledger();
  EXPECT_EQ(rows[0].at("status"), "done");
  EXPECT_EQ(rows[1].at("status"), "done") << rows[1].at("message");
  // A finished subject again with --resume: skipped, its outputs kept.
  ASSERT_EQ(voxflow({"run", "--quiet", cohort, "--subject-index", "0", "--resume"}, "skip"), 0)
      << err("skip");
  EXPECT_EQ(ledger()[0].at("status"), "skipped");
}

TEST_F(CohortSubjectIndex, AnIndexOutsideTheCohortIsAConfigurationErrorNamingTheCount) {
  auto const cohort = simulate_cohort();
  EXPECT_EQ(voxflow({"run", cohort, "--subject-index", "2"}), 3);
  EXPECT_NE(err().find("--subject-index"), std::string::npos) << err();
  EXPECT_NE(err().find("the cohort lists 2 subjects"), std::string::npos) << err();
  EXPECT_NE(err().find("cohort.yaml"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(dir_ / "out" / "cohort_status.tsv"));
  EXPECT_EQ(voxflow({"run", cohort, "--subject-index", "-1"}, "negative"), 2) << err("negative");
}

TEST_F(CohortSubjectIndex, ASingleSubjectConfigurationIsRefused) {
  auto const config = simulate();
  EXPECT_EQ(voxflow({"run", config, "--subject-index", "0"}), 3);
  EXPECT_NE(err().find("subjects"), std::string::npos) << err();
}

}  // namespace
