// Which subjects of a cohort are split across ranks (cohort::split_subject): `split: true` in an entry, or a
// grid of at least `cohort.split_voxels` voxels; neither key reaches the resolved configuration, so a split
// subject's outputs and configuration hash are those of an unsplit run.
#include "cohort_contract.hpp"

#include <voxflow/cohort/cohort_run.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace voxflow;
using voxflow::testing::read_file;

namespace {

using CohortSplitConfig = voxflow::testing::CohortTest;

TEST_F(CohortSplitConfig, AnEntryMarkedSplitIsSplitAndTheOthersAreNot) {
  auto const cohort = simulate_cohort();  // sub-01 of 10 x 8 x 2 voxels, sub-02 of 12 x 8 x 2
  std::string text = read_file(cohort);
  text.replace(text.find("sub-01/mask.nii.gz}"), 19, "sub-01/mask.nii.gz}\n    split: true");
  auto const marked = pipeline::read_cohort_config(write("marked.yaml", text));
  ASSERT_EQ(marked.subjects.size(), 2u);
  EXPECT_TRUE(cohort::split_subject(marked.subjects[0]));
  EXPECT_FALSE(cohort::split_subject(marked.subjects[1]));
  // The key changes nothing the subject computes or writes.
  auto const plain = pipeline::read_cohort_config(cohort);
  EXPECT_EQ(marked.subjects[0].resolved_yaml(), plain.subjects[0].resolved_yaml());
  EXPECT_EQ(plain.subjects[0].resolved_yaml().find("split"), std::string::npos);
}

TEST_F(CohortSplitConfig, TheVoxelThresholdSplitsEverySubjectWhoseGridReachesIt) {
  auto const cohort = simulate_cohort();
  auto const threshold = pipeline::read_cohort_config(
      write("threshold.yaml", read_file(cohort) + "cohort: {split_voxels: 192}\n"));
  EXPECT_FALSE(cohort::split_subject(threshold.subjects[0]));      // 160 voxels
  EXPECT_TRUE(cohort::split_subject(threshold.subjects[1]));       // 192 voxels
  EXPECT_TRUE(cohort::split_subject(threshold.subjects[0], 192));  // the header count when known
  auto const none = pipeline::read_cohort_config(cohort);
  EXPECT_FALSE(cohort::split_subject(none.subjects[1]));  // default 0: only subjects marked split
}

TEST_F(CohortSplitConfig, TheThresholdIsTheWholeCohortsAndAWholeNumber) {
  std::string const contract = voxflow::testing::cohort_contract_yaml;
  std::string in_entry = contract;
  in_entry.replace(in_entry.find("sub-01/mask.nii.gz}"), 19,
                   "sub-01/mask.nii.gz}\n    cohort: {split_voxels: 5}");
  EXPECT_NE(error_of(in_entry).find("once for the whole cohort"), std::string::npos);
  EXPECT_NE(error_of(contract + "cohort: {split_voxels: many}\n").find("cohort.split_voxels"),
            std::string::npos);
  EXPECT_NE(error_of(contract + "split: sometimes\n").find("split"), std::string::npos);
}

}  // namespace
