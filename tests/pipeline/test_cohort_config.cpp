// Reading a cohort configuration (pipeline::read_cohort_config): each subject's RunConfig is the shared keys
// plus its entry, exactly as if it were its own single-subject file beside the cohort file; mistakes in an
// entry are configuration errors that name it.
#include "cohort_contract.hpp"
#include "contract_config.hpp"

#include <voxflow/cohort/cohort_run.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace voxflow;

namespace {

class CohortConfig : public voxflow::testing::CohortTest {};

TEST_F(CohortConfig, EachSubjectIsTheSharedKeysPlusItsEntryWithPathsBesideTheCohortFile) {
  auto const cohort =
      pipeline::read_cohort_config(write("cohort.yaml", voxflow::testing::cohort_contract_yaml));
  ASSERT_TRUE(cohort.is_cohort);
  ASSERT_EQ(cohort.subjects.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    auto const& config = cohort.subjects[i];
    std::string const id = "0" + std::to_string(i + 1);
    EXPECT_EQ(config.settings().subject, id);
    EXPECT_EQ(config.text("inputs.concentration"), (dir_ / ("sub-" + id) / "conc.nii.gz").string());
    EXPECT_EQ(config.text("inputs.mask"), (dir_ / ("sub-" + id) / "mask.nii.gz").string());
    EXPECT_EQ(config.text("fit.model"), "extended_tofts");
    EXPECT_EQ(config.settings().output.dir, (dir_ / "out").string());
    // Its resolved copy is a single-subject configuration of its own.
    EXPECT_NE(config.resolved_yaml().find("subject: sub-" + id), std::string::npos) << config.resolved_yaml();
  }
}

TEST_F(CohortConfig, SessionsAndSharedInputsAreTakenAndASingleSubjectFileIsOneSubject) {
  auto const cohort = pipeline::read_cohort_config(write("cohort.yaml", R"(modality: dce
inputs: {mask: shared/mask.nii.gz, timing: time.txt}
subjects:
  - {id: sub-01, session: ses-pre, inputs: {concentration: a.nii.gz}}
  - {id: 01, session: post, inputs: {concentration: b.nii.gz, mask: own.nii.gz}, fit: {model: tofts}}
fit: {model: extended_tofts, max_iterations: 77}
)"));
  ASSERT_EQ(cohort.subjects.size(), 2u);
  EXPECT_EQ(cohort.subjects[0].settings().session, "pre");
  EXPECT_EQ(cohort.subjects[1].settings().session, "post");
  EXPECT_EQ(cohort.subjects[0].text("inputs.mask"), (dir_ / "shared/mask.nii.gz").string());
  EXPECT_EQ(cohort.subjects[1].text("inputs.mask"), (dir_ / "own.nii.gz").string());
  EXPECT_EQ(cohort.subjects[1].text("inputs.timing"), (dir_ / "time.txt").string());
  // An entry's own modality keys win over the shared ones, and the shared keys of the same section stay.
  EXPECT_EQ(cohort.subjects[0].text("fit.model"), "extended_tofts");
  EXPECT_EQ(cohort.subjects[1].text("fit.model"), "tofts");
  EXPECT_EQ(cohort.subjects[1].integer("fit.max_iterations"), 77);

  auto const single = pipeline::read_cohort_config(write("one.yaml", voxflow::testing::contract_yaml));
  EXPECT_FALSE(single.is_cohort);
  ASSERT_EQ(single.subjects.size(), 1u);
}

TEST_F(CohortConfig, MistakesInTheListAreConfigurationErrorsNamingTheEntry) {
  EXPECT_NE(error_of("modality: dce\nsubjects: []\n").find("'subjects'"), std::string::npos);
  EXPECT_NE(error_of("modality: dce\nsubjects: [{inputs: {mask: m.nii.gz}}]\n").find("subjects[1].id"),
            std::string::npos);
  EXPECT_NE(
      error_of("modality: dce\nsubjects: [{id: a}, {id: b, inputs: x.nii.gz}]\n").find("subjects[2].inputs"),
      std::string::npos);
  EXPECT_NE(
      error_of("modality: dce\nsubjects: [{id: a}, {id: b, output: {dir: x}}]\n").find("subjects[2].output"),
      std::string::npos);
  EXPECT_NE(error_of("modality: dce\nsubject: a\nsubjects: [{id: b}]\n").find("'subject'"),
            std::string::npos);
  EXPECT_NE(error_of("modality: dce\nsubjects: [{id: a}, {id: sub-a}]\n").find("sub-a is also subjects[1]"),
            std::string::npos);
  // An error of the modality's own keys names the entry it came from.
  EXPECT_NE(error_of("modality: dce\nsubjects: [{id: a}, {id: b, inputs: {concentraton: c.nii.gz}}]\n")
                .find("subjects[2], id 'b'"),
            std::string::npos);
  EXPECT_NE(error_of("modality: dce\nsubjects: [{id: a, fit: {modle: tofts}}]\n").find("subjects[1], id 'a'"),
            std::string::npos);
  EXPECT_NE(
      error_of("modality: dce\nsubjects: [{id: a}, {id: b, backend: serial}]\n").find("subjects[2].backend"),
      std::string::npos);
}

}  // namespace

namespace {

class CohortQueue : public voxflow::testing::CohortTest {};

// Largest subjects first, by the grid of their NIfTI inputs read from the headers; ties and unreadable
// subjects (size 0) keep the file's order.
TEST_F(CohortQueue, LargestSubjectsAreHandedOutFirst) {
  auto cohort = pipeline::read_cohort_config(simulate_cohort()).subjects;
  EXPECT_EQ(cohort::header_voxels(cohort[0]), 10 * 8 * 2);
  EXPECT_EQ(cohort::header_voxels(cohort[1]), 12 * 8 * 2);
  EXPECT_EQ(cohort::queue_order(cohort), (std::vector<std::size_t>{1, 0}));
  cohort.push_back(cohort[0]);
  cohort.push_back(cohort[1]);
  fs::remove(dir_ / "sub-02" / "conc.nii.gz");
  fs::remove(dir_ / "sub-02" / "mask.nii.gz");
  EXPECT_EQ(cohort::header_voxels(cohort[1]), 0);
  EXPECT_EQ(cohort::queue_order(cohort), (std::vector<std::size_t>{0, 2, 1, 3}));
}

}  // namespace
