// Subjects from a glob or a BIDS root instead of an explicit list, and the participant/session filters of
// BIDS Apps (--participant-label, --session-label): each found subject becomes the entry an explicit list
// would have given; a source or a label that finds nothing is one configuration error naming the field.
#include "cohort_contract.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace voxflow;

namespace {

class CohortSources : public voxflow::testing::CohortTest {
 protected:
  void make_folders(std::vector<std::string> const& folders) const {
    for (auto const& f : folders) fs::create_directories(dir_ / f);
  }
  static std::vector<std::string> labels(pipeline::CohortConfig const& cohort) {
    std::vector<std::string> out;
    for (auto const& c : cohort.subjects)
      out.push_back(c.settings().subject + (c.settings().session.empty() ? "" : "/" + c.settings().session));
    return out;
  }
};

constexpr char const* glob_cohort = R"(modality: dce
subjects:
  glob: data/sub-*
  inputs: {concentration: "{match}/conc.nii.gz", timing: "{match}/time.txt", mask: "{match}/{id}_mask.nii.gz"}
aif: {source: population, model: parker}
backend: host
output: {dir: out}
)";

TEST_F(CohortSources, AGlobGivesOneSubjectPerMatchInSortedOrderWithItsPlaceholdersFilled) {
  make_folders({"data/sub-03", "data/sub-01", "data/sub-02", "data/notes"});
  auto const cohort = pipeline::read_cohort_config(write("cohort.yaml", glob_cohort));
  ASSERT_TRUE(cohort.is_cohort);
  EXPECT_EQ(labels(cohort), (std::vector<std::string>{"01", "02", "03"}));
  EXPECT_EQ(cohort.subjects[1].text("inputs.concentration"), (dir_ / "data/sub-02/conc.nii.gz").string());
  EXPECT_EQ(cohort.subjects[2].text("inputs.mask"), (dir_ / "data/sub-03/sub-03_mask.nii.gz").string());
}

TEST_F(CohortSources, ParticipantLabelsKeepThoseSubjectsWithOrWithoutTheirPrefix) {
  make_folders({"data/sub-01", "data/sub-02", "data/sub-03"});
  pipeline::Overrides overrides;
  overrides.participant_labels = {"sub-03", "01"};
  auto const cohort = pipeline::read_cohort_config(write("cohort.yaml", glob_cohort), overrides);
  EXPECT_EQ(labels(cohort), (std::vector<std::string>{"01", "03"}));

  // The same filter works on an explicit list.
  write("list.yaml", voxflow::testing::cohort_contract_yaml);
  overrides.participant_labels = {"02"};
  EXPECT_EQ(labels(pipeline::read_cohort_config((dir_ / "list.yaml").string(), overrides)),
            (std::vector<std::string>{"02"}));
}

TEST_F(CohortSources, AnUnknownLabelOrAGlobMatchingNothingIsOneConfigurationError) {
  make_folders({"data/sub-01", "data/sub-02"});
  pipeline::Overrides overrides;
  overrides.participant_labels = {"01", "07"};
  auto const unknown = error_of(glob_cohort, overrides);
  EXPECT_NE(unknown.find("--participant-label"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("'07'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("sub-01, sub-02"), std::string::npos) << unknown;

  fs::remove_all(dir_ / "data");
  auto const nothing = error_of(glob_cohort);
  EXPECT_NE(nothing.find("subjects.glob"), std::string::npos) << nothing;
  EXPECT_NE(nothing.find("data/sub-*"), std::string::npos) << nothing;

  auto const no_inputs = error_of("modality: dce\nsubjects: {glob: 'data/*'}\noutput: {dir: out}\n");
  EXPECT_NE(no_inputs.find("subjects.inputs"), std::string::npos) << no_inputs;
  auto const both = error_of("modality: dce\nsubjects: {glob: 'd/*', bids: raw}\noutput: {dir: out}\n");
  EXPECT_NE(both.find("'glob'"), std::string::npos) << both;
  auto const typo =
      error_of("modality: dce\nsubjects: {bids: raw, participants: [01]}\noutput: {dir: out}\n");
  EXPECT_NE(typo.find("subjects.participants"), std::string::npos) << typo;
}

constexpr char const* bids_cohort = R"(modality: dce
subjects:
  bids: raw
aif: {source: population, model: parker}
backend: host
output: {dir: out}
)";

TEST_F(CohortSources, ABidsRootGivesItsParticipantsAndSessionsWithTheRootAsInputs) {
  make_folders({"raw/sub-01/ses-pre", "raw/sub-01/ses-post", "raw/sub-02/ses-pre", "raw/sub-03/perf"});
  auto const all = pipeline::read_cohort_config(write("cohort.yaml", bids_cohort));
  EXPECT_EQ(labels(all), (std::vector<std::string>{"01/post", "01/pre", "02/pre", "03"}));
  EXPECT_EQ(all.subjects[0].text("inputs.bids"), (dir_ / "raw").string());

  // participants.tsv, when there is one, is the list; the session filter of the file or the command line.
  write("raw/participants.tsv", "participant_id\tage\nsub-01\t30\r\nsub-02\t41\n");
  std::string const filtered =
      std::string(bids_cohort)
          .replace(std::string(bids_cohort).find("  bids: raw\n"), 12, "  bids: raw\n  session_label: pre\n");
  EXPECT_EQ(labels(pipeline::read_cohort_config(write("cohort.yaml", filtered))),
            (std::vector<std::string>{"01/pre", "02/pre"}));
  pipeline::Overrides overrides;
  overrides.session_labels = {"ses-post"};
  EXPECT_EQ(labels(pipeline::read_cohort_config(write("cohort.yaml", filtered), overrides)),
            (std::vector<std::string>{"01/post"}));
  overrides.session_labels = {"baseline"};
  auto const session = error_of(filtered, overrides);
  EXPECT_NE(session.find("--session-label"), std::string::npos) << session;
  EXPECT_NE(session.find("ses-post, ses-pre"), std::string::npos) << session;
}

TEST_F(CohortSources, AParticipantListedWithoutAFolderOrARootWithoutSubjectsIsAConfigurationError) {
  make_folders({"raw/sub-01"});
  write("raw/participants.tsv", "participant_id\nsub-01\nsub-04\n");
  auto const listed = error_of(bids_cohort);
  EXPECT_NE(listed.find("participants.tsv"), std::string::npos) << listed;
  EXPECT_NE(listed.find("sub-04"), std::string::npos) << listed;
  fs::remove_all(dir_ / "raw");
  make_folders({"raw/derivatives"});
  auto const empty = error_of(bids_cohort);
  EXPECT_NE(empty.find("subjects.bids"), std::string::npos) << empty;
}

// The command line, end to end: a glob cohort of the two simulated subjects, one of them chosen by label; an
// unknown label exits with the configuration code before anything runs.
TEST_F(CohortSources, TheCommandLineRunsTheChosenSubjectsOfAGlobAndRejectsAnUnknownLabel) {
  simulate_cohort();
  write("glob.yaml", R"(modality: dce
subjects:
  glob: sub-0*
  inputs: {concentration: "{match}/conc.nii.gz", timing: "{match}/time.txt", mask: "{match}/mask.nii.gz"}
aif: {source: population, model: parker}
fit: {model: extended_tofts}
backend: host
output: {dir: out}
)");
  std::string const cohort = (dir_ / "glob.yaml").string();
  ASSERT_EQ(voxflow({"run", "--quiet", cohort, "--participant-label", "02"}), 0) << err();
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("subject"), "sub-02");
  EXPECT_EQ(rows[0].at("status"), "done") << rows[0].at("message");
  EXPECT_TRUE(fs::exists(ktrans("sub-02")));

  EXPECT_EQ(voxflow({"run", cohort, "--participant-label", "9"}, "unknown"), 3);
  EXPECT_NE(err("unknown").find("unknown label '9'"), std::string::npos) << err("unknown");
}

}  // namespace
