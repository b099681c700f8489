// A cohort run in sequence through the voxflow executable, as users and external checks run it: the contract
// file of issue 12 on two simulated DCE subjects gives each subject its Ktrans map and a ledger row `done`; a
// failing subject is recorded while the other finishes (exit 7); --resume skips finished subjects and redoes
// the rest to the same bytes.
#include "cohort_contract.hpp"

#include <voxflow/io/nifti_image.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;
using namespace voxflow;
using voxflow::testing::read_file;

namespace {

class CohortSequential : public voxflow::testing::CohortTest {
 protected:
  // Largest relative error of a subject's Ktrans map against its own simulated truth, inside its mask.
  double worst_ktrans_error(std::string const& id) {
    auto const fitted = io::read_nifti(ktrans(id).string());
    auto const truth = io::read_nifti((dir_ / id / "truth_Ktrans.nii.gz").string());
    auto const mask = io::read_nifti((dir_ / id / "mask.nii.gz").string());
    EXPECT_EQ(fitted.dims, truth.dims) << id;
    double worst = 0.0;
    for (std::size_t i = 0; i < mask.data.size() && i < fitted.data.size(); ++i)
      if (mask.data[i] > 0)
        worst = std::max(worst, std::fabs(fitted.data[i] - truth.data[i]) / truth.data[i]);
    return worst;
  }
};

TEST_F(CohortSequential, TheContractGivesEverySubjectItsMapsAndALedgerRowDone) {
  auto const cohort = simulate_cohort();
  ASSERT_EQ(voxflow({"run", "--quiet", cohort}), 0) << err();
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("subject"), "sub-01");
  EXPECT_EQ(rows[1].at("subject"), "sub-02");
  for (auto const& row : rows) {
    EXPECT_EQ(row.at("status"), "done") << row.at("message");
    EXPECT_EQ(row.at("rank"), "0");
    EXPECT_FALSE(row.at("host").empty());
    EXPECT_GT(std::stod(row.at("seconds")), 0.0);
  }
  // Each subject's own inputs: the grids differ, and each map recovers its own truth.
  EXPECT_EQ(io::read_nifti_header(ktrans("sub-01").string()).dims[0], 10);
  EXPECT_EQ(io::read_nifti_header(ktrans("sub-02").string()).dims[0], 12);
  EXPECT_LT(worst_ktrans_error("sub-01"), 1e-5);
  EXPECT_LT(worst_ktrans_error("sub-02"), 1e-5);
  EXPECT_LT(std::stoll(rows[0].at("voxels")), std::stoll(rows[1].at("voxels")));
  EXPECT_GT(std::stoll(rows[0].at("voxels")), 0);
}

TEST_F(CohortSequential, AFailingSubjectIsRecordedAndTheOtherStillFinishesWithExitSeven) {
  auto const cohort = simulate_cohort();
  fs::remove(dir_ / "sub-01" / "mask.nii.gz");
  EXPECT_EQ(voxflow({"run", "--quiet", cohort}), 7) << err();
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("status"), "failed");
  EXPECT_NE(rows[0].at("message").find("mask.nii.gz"), std::string::npos) << rows[0].at("message");
  EXPECT_EQ(rows[1].at("status"), "done") << rows[1].at("message");
  EXPECT_TRUE(fs::exists(ktrans("sub-02")));
  EXPECT_NE(err().find("sub-01: failed"), std::string::npos) << err();
}

TEST_F(CohortSequential, ResumeSkipsFinishedSubjectsAndRedoesTheRestToTheSameBytes) {
  auto const cohort = simulate_cohort();
  ASSERT_EQ(voxflow({"run", "--quiet", cohort}, "first"), 0) << err("first");
  std::string const first_map = read_file(ktrans("sub-02"));
  // Without --resume or --overwrite a finished subject is not replaced: both are refused, as failures.
  EXPECT_EQ(voxflow({"run", "--quiet", cohort}, "again"), 7);
  for (auto const& row : ledger()) EXPECT_EQ(row.at("status"), "failed");

  // sub-02 unfinished, as after a kill: its maps there, its run record (written last) not.
  for (auto const& e : fs::recursive_directory_iterator(dir_ / "out" / "sub-02"))
    if (e.path().filename().string().find("_run.json") != std::string::npos) fs::remove(e.path());

  ASSERT_EQ(voxflow({"run", "--quiet", "--resume", cohort}, "resume"), 0) << err("resume");
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("status"), "skipped") << rows[0].at("message");
  EXPECT_EQ(rows[1].at("status"), "done") << rows[1].at("message");
  EXPECT_EQ(read_file(ktrans("sub-02")), first_map);

  ASSERT_EQ(voxflow({"run", "--quiet", "--overwrite", cohort}, "overwrite"), 0) << err("overwrite");
  for (auto const& row : ledger()) EXPECT_EQ(row.at("status"), "done");
}

TEST_F(CohortSequential, AMistakeInOneEntryIsAConfigurationErrorNamingIt) {
  simulate_cohort();
  auto const path = (dir_ / "bad.yaml").string();
  std::string text = voxflow::testing::cohort_contract_yaml;
  text.replace(text.find("  - id: sub-02\n"), 15, "  - id: sub-02\n    output: {dir: elsewhere}\n");
  std::ofstream(path) << text;
  EXPECT_EQ(voxflow({"run", "--quiet", path}), 3);
  EXPECT_NE(err().find("subjects[2].output"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

}  // namespace

namespace {

TEST_F(CohortSequential, ValidateChecksEverySubjectWithoutComputing) {
  auto const cohort = simulate_cohort();
  EXPECT_EQ(voxflow({"validate", cohort}), 0) << err();
  EXPECT_NE(read_file(dir_ / "run.out").find("2 subjects"), std::string::npos) << read_file(dir_ / "run.out");
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  fs::remove(dir_ / "sub-02" / "time.txt");
  EXPECT_EQ(voxflow({"validate", cohort}), 4);
  EXPECT_NE(err().find("sub-02/time.txt"), std::string::npos) << err();
}

}  // namespace
