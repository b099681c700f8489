// Subjects split across the two ranks of `mpiexec -np 2` (pipeline/subject_split.hpp): each rank fits its
// own voxels, both run the whole-subject stages, rank 0 gathers and writes. The maps (and every other output
// that does not name the output folder) equal the sequential, unsplit run's byte for byte, for DCE with T1
// mapped in the run and the AIF detected (every voxel's T1 shared between the ranks), DSC with leakage
// correction (a reference curve over all voxels) and IVIM Bayesian with one noise SD for the subject (a
// median over all voxels).
#include "cohort_contract.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using voxflow::testing::read_file;

namespace {

class CohortSplit : public voxflow::testing::CohortMpiTest {
 protected:
  // The cohort in sequence into sequential/ and across two ranks into out/; then every output of both runs
  // compared: maps and tables byte for byte, sidecars without the configuration hash (it covers output.dir).
  void expect_split_equals_sequential(std::string const& cohort, std::size_t least_compared) {
    ASSERT_EQ(voxflow({"run", "--quiet", "--output", (dir_ / "sequential").string(), cohort}, "sequential"),
              0)
        << err("sequential");
    ASSERT_EQ(mpiexec({"run", cohort}, "mpi"), 0) << err("mpi") << read_file(dir_ / "mpi.out");
    std::size_t compared = 0;
    for (auto const& e : fs::recursive_directory_iterator(dir_ / "sequential")) {
      if (!e.is_regular_file()) continue;
      std::string const name = e.path().filename().string();
      auto const twin = dir_ / "out" / fs::relative(e.path(), dir_ / "sequential");
      bool const map = voxflow::io::ends_with(name, ".nii.gz"), table = voxflow::io::ends_with(name, ".tsv");
      if (name == "cohort_status.tsv") continue;
      if (map || table || voxflow::io::ends_with(name, "_aif.json")) {
        EXPECT_EQ(read_file(e.path()), read_file(twin)) << twin;
        ++compared;
      } else if (voxflow::io::ends_with(name, ".json") && !voxflow::io::ends_with(name, "_run.json") &&
                 name != "dataset_description.json") {
        auto sequential = nlohmann::json::parse(read_file(e.path()));
        auto split = nlohmann::json::parse(read_file(twin));
        sequential.erase("ConfigurationHash");
        split.erase("ConfigurationHash");
        EXPECT_EQ(sequential, split) << twin;
        ++compared;
      }
    }
    EXPECT_GE(compared, least_compared);
  }
};

// sub-01 is marked split; sub-02 goes through the queue as before. T1 is mapped from a VFA series in the run
// and feeds the AIF detection among all voxels.
TEST_F(CohortSplit, ADceSubjectSplitAcrossTwoRanksGivesTheUnsplitMapsByteForByte) {
  auto const cohort = simulated_cohort_of("dce", {"--input", "vfa", "--matrix", "12,10,2", "--noise", "0.01"},
                                          {{"source: population", "source: detect"}}, "split: true", "");
  expect_split_equals_sequential(cohort, 2 * 12);
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("status"), "done") << rows[0].at("message");
  EXPECT_EQ(rows[0].at("rank"), "0-1");  // split: computed by ranks 0 and 1, written by rank 0
  EXPECT_EQ(rows[1].at("status"), "done") << rows[1].at("message");
  EXPECT_TRUE(rows[1].at("rank") == "0" || rows[1].at("rank") == "1") << rows[1].at("rank");
  EXPECT_EQ(rows[0].at("voxels"), ledger("sequential")[0].at("voxels"));
}

// DSC with leakage correction (the non-enhancing reference curve is a mean over every voxel), the first pass
// fitted to every curve, and rCBF/rCBV normalised to a reference region (after the rows are gathered).
TEST_F(CohortSplit, ADscSubjectWithLeakageCorrectionSplitGivesTheUnsplitMaps) {
  auto const cohort =
      simulated_cohort_of("dsc", {"--matrix", "12,10,2", "--leakage", "0.002", "--noise", "0.01"},
                          {{"leakage_correction: true",
                            "leakage_correction: true\nrecirculation: {method: gamma_variate}\n"
                            "normalisation: {reference_mask: sub-01/mask.nii.gz}"}},
                          "split: true", "");
  expect_split_equals_sequential(cohort, 2 * 10);
  EXPECT_EQ(ledger()[0].at("rank"), "0-1");
}

// IVIM Bayesian with one noise SD for the subject (the median of every voxel's estimate, shared between the
// ranks); both subjects split by the cohort's voxel threshold.
TEST_F(CohortSplit, IvimBayesianSubjectsOverTheVoxelThresholdSplitGiveTheUnsplitMaps) {
  auto const cohort =
      simulated_cohort_of("ivim", {"--method", "bayesian", "--matrix", "12,10,2", "--noise", "0.02"}, {}, "",
                          "cohort: {split_voxels: 100}\n");
  expect_split_equals_sequential(cohort, 2 * 6);
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  for (auto const& row : rows) {
    EXPECT_EQ(row.at("status"), "done") << row.at("message");
    EXPECT_EQ(row.at("rank"), "0-1");
  }
  // The sidecars name the one noise SD the split run used.
  bool named = false;
  for (auto const& e : fs::recursive_directory_iterator(dir_ / "out"))
    if (voxflow::io::ends_with(e.path().string(), "_D.json"))
      named = named || nlohmann::json::parse(read_file(e.path())).contains("NoiseSD");
  EXPECT_TRUE(named);
}

// A split subject that fails (its input gone) fails on every rank alike: recorded, the cohort goes on,
// exit 7.
TEST_F(CohortSplit, AFailingSplitSubjectIsRecordedAndTheCohortGoesOn) {
  auto const cohort = simulate_cohort();
  auto text = read_file(cohort);
  text.replace(text.find("sub-01/mask.nii.gz}"), 19, "sub-01/mask.nii.gz}\n    split: true");
  write("cohort.yaml", text);
  fs::remove(dir_ / "sub-01" / "conc.nii.gz");
  EXPECT_EQ(mpiexec({"run", cohort}, "mpi"), 7) << err("mpi");
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("status"), "failed");
  EXPECT_EQ(rows[0].at("rank"), "0-1");
  EXPECT_NE(rows[0].at("message").find("conc.nii.gz"), std::string::npos) << rows[0].at("message");
  EXPECT_EQ(rows[1].at("status"), "done") << rows[1].at("message");
}

// Only rank 0 looks at the outputs: its refusal of a finished subject (no --overwrite) and its finding on
// --resume that the subject is complete reach the other rank, which neither waits nor computes.
TEST_F(CohortSplit, RankZerosRefusalAndResumeOfASplitSubjectReachEveryRank) {
  auto const cohort = simulate_cohort();
  auto text = read_file(cohort);
  text += "cohort: {split_voxels: 1}\n";
  write("cohort.yaml", text);
  ASSERT_EQ(mpiexec({"run", cohort}, "first"), 0) << err("first");
  auto const first = read_file(ktrans("sub-01"));
  EXPECT_EQ(mpiexec({"run", cohort}, "again"), 7) << err("again");
  for (auto const& row : ledger()) {
    EXPECT_EQ(row.at("status"), "failed");
    EXPECT_NE(row.at("message").find("already exist"), std::string::npos) << row.at("message");
    EXPECT_EQ(row.at("rank"), "0-1");
  }
  ASSERT_EQ(mpiexec({"run", "--resume", cohort}, "resume"), 0) << err("resume");
  for (auto const& row : ledger()) EXPECT_EQ(row.at("status"), "skipped") << row.at("message");
  EXPECT_EQ(read_file(ktrans("sub-01")), first);
}

}  // namespace
