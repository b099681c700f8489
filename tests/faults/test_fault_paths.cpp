// Outputs never escape the configured output folder: a subject or other label holding ".." or "/" is a
// configuration error, a symbolic link planted in the output tree (a folder, the lock, a final name) is never
// followed out of it, and a planted run record cannot make a run delete files elsewhere. A configuration
// runs no command and makes voxflow read no file in the test's folder but those it names.
#include "cohort_kill.hpp"
#include "fault_injection.hpp"

#include <voxflow/io/file_digest.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using voxflow::testing::read_file;

class OutputPaths : public voxflow::testing::CohortKillTest {
 protected:
  void SetUp() override {
    CohortKillTest::SetUp();
    voxflow::pipeline::dce_run::DceSimulation sim;
    sim.matrix = {6, 4, 1};
    sim.noise = 0.0;
    config_ = simulate(sim);
    fs::create_directories(dir_ / "elsewhere");
    perf_ = dir_ / "out" / "sub-sim" / "perf";
  }
  // A copy of the configuration with `from` replaced by `to`; returns its path.
  std::string replaced(std::string const& from, std::string const& to, std::string const& name) const {
    std::string text = read_file(config_);
    auto const at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return write(name, text);
  }
  int run_subject(std::vector<std::string> extra = {}, std::string const& tag = "run") {
    std::vector<std::string> args{"run", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(config_);
    return voxflow(args, tag);
  }
  // Nothing was written into <dir>/elsewhere, the target of every planted link.
  void expect_elsewhere_untouched() const {
    for (auto const& e : fs::recursive_directory_iterator(dir_ / "elsewhere"))
      ADD_FAILURE() << "written outside the output folder: " << e.path();
  }

  std::string config_;
  fs::path perf_;
};

TEST_F(OutputPaths, LabelsHoldingDotsOrSlashesAreConfigurationErrors) {
  std::vector<std::pair<std::string, std::string>> const cases{
      {"subject: sub-sim", "subject: ../elsewhere"},
      {"subject: sub-sim", "subject: sub-../../x"},
      {"subject: sub-sim", "subject: a/b"},
      {"subject: sub-sim", "subject: .."},
      {"subject: sub-sim", "subject: sub-sim\nsession: ../x"},
      {"subject: sub-sim", "subject: sub-sim\nrun: 1/../../x"},
      {"subject: sub-sim", "subject: sub-sim\nacq: ../../x"}};
  int k = 0;
  for (auto const& [from, to] : cases) {
    std::string const tag = "case" + std::to_string(k++);
    EXPECT_EQ(voxflow({"run", "--quiet", replaced(from, to, tag + ".yaml")}, tag), 3)
        << to << ": " << err(tag);
    EXPECT_NE(err(tag).find("BIDS label"), std::string::npos) << err(tag);
  }
  // A cohort entry's id too.
  std::string const cohort =
      write("cohort.yaml",
            "modality: dce\nsubjects:\n  - id: sub-../../elsewhere\n    inputs: {concentration: conc.nii.gz, "
            "timing: time.txt, mask: mask.nii.gz}\naif: {source: population, model: parker}\n"
            "fit: {model: extended_tofts}\noutput: {dir: out}\n");
  EXPECT_EQ(voxflow({"run", "--quiet", cohort}, "cohort"), 3) << err("cohort");
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  expect_elsewhere_untouched();
}

TEST_F(OutputPaths, AFolderOfTheOutputTreeThatIsALinkIsNotFollowed) {
  for (fs::path const& planted : std::vector<fs::path>{
           dir_ / "out" / "sub-sim", dir_ / "out" / "sub-sim" / "perf", dir_ / "out" / "sub-sim" / "anat"}) {
    fs::remove_all(dir_ / "out");
    fs::create_directories(planted.parent_path());
    fs::create_directory_symlink(dir_ / "elsewhere", planted);
    EXPECT_EQ(run_subject(), 5) << planted << ": " << err();
    EXPECT_NE(err().find("symbolic link"), std::string::npos) << err();
    EXPECT_NE(err().find(planted.string()), std::string::npos) << err();
    expect_elsewhere_untouched();
  }
}

TEST_F(OutputPaths, ALinkPlantedAsTheLockFileIsNotWrittenThrough) {
  std::string const precious = (dir_ / "precious.txt").string();
  std::ofstream(precious) << "not voxflow's\n";
  fs::create_directories(perf_);
  fs::create_symlink(precious, perf_ / ".sub-sim.lock");
  EXPECT_EQ(run_subject(), 5) << err();
  EXPECT_NE(err().find("symbolic link"), std::string::npos) << err();
  EXPECT_EQ(read_file(precious), "not voxflow's\n");
}

TEST_F(OutputPaths, ALinkUnderAFinalNameIsReplacedNotWrittenThrough) {
  std::string const precious = (dir_ / "elsewhere" / "precious.nii.gz").string();
  std::ofstream(precious) << "not voxflow's\n";
  fs::create_directories(perf_);
  fs::path const ktrans = perf_ / "sub-sim_desc-extendedtofts_Ktrans.nii.gz";
  fs::create_symlink(precious, ktrans);
  ASSERT_EQ(run_subject(), 0) << err();
  EXPECT_FALSE(fs::is_symlink(ktrans));
  EXPECT_NO_THROW(voxflow::io::read_nifti(ktrans.string()));
  EXPECT_EQ(read_file(precious), "not voxflow's\n");
}

TEST_F(OutputPaths, ALinkPlantedAsTheLedgerLockIsNotFollowed) {
  std::string const cohort =
      write("cohort.yaml",
            "modality: dce\nsubjects:\n  - id: sub-sim\n    inputs: {concentration: conc.nii.gz, timing: "
            "time.txt, mask: mask.nii.gz}\naif: {source: population, model: parker}\n"
            "fit: {model: extended_tofts}\noutput: {dir: out}\n");
  fs::create_directories(dir_ / "out");
  fs::create_symlink(dir_ / "elsewhere" / "created", dir_ / "out" / "cohort_status.tsv.lock");
  EXPECT_EQ(voxflow({"run", "--quiet", cohort}, "cohort"), 5) << err("cohort");
  EXPECT_NE(err("cohort").find("cohort_status.tsv.lock"), std::string::npos) << err("cohort");
  expect_elsewhere_untouched();
}

// A run record names the files of the run before; a rerun removes those it does not write again. A record
// naming a file outside the output folder must not make it remove that file.
TEST_F(OutputPaths, APlantedRunRecordCannotMakeARunDeleteFilesElsewhere) {
  ASSERT_EQ(run_subject(), 0) << err();
  std::string const precious = (dir_ / "precious.txt").string();
  std::ofstream(precious) << "not voxflow's\n";
  auto const digest = voxflow::io::file_digest(precious);
  fs::path const record = perf_ / "sub-sim_desc-extendedtofts_run.json";
  auto doc = nlohmann::json::parse(read_file(record));
  for (std::string const& path :
       std::vector<std::string>{"../precious.txt", "sub-sim/../../precious.txt", precious})
    doc["Files"].push_back({{"Path", path}, {"Bytes", digest.size}, {"CRC32", digest.crc32_hex}});
  std::ofstream(record) << doc.dump(2);
  EXPECT_EQ(run_subject({"--overwrite"}, "overwrite"), 0) << err("overwrite");
  EXPECT_TRUE(fs::exists(precious));
  // The record the rerun wrote is its own again.
  EXPECT_TRUE(voxflow::pipeline::check_run_record(record.string(), (dir_ / "out").string()).complete);
}

TEST_F(OutputPaths, AConfigurationRunsNoCommandAndReadsOnlyTheFilesItNames) {
  // Shell syntax in every free-text value is just text: a missing input, never a command.
  std::string const marker = (dir_ / "ran").string();
  for (std::string const& value : std::vector<std::string>{
           "$(touch " + marker + ")", "`touch " + marker + "`", "x; touch " + marker, "| touch " + marker})
    EXPECT_EQ(voxflow({"run", "--quiet", replaced("conc.nii.gz", "'" + value + "'", "shell.yaml")}, "shell"),
              4)
        << value << ": " << err("shell");
  EXPECT_FALSE(fs::exists(marker));

  // Decoys beside the inputs: files a careless reader might pick up (another series, a configuration, a
  // sidecar of a name no input has).
  for (std::string const& decoy :
       std::vector<std::string>{"decoy.nii.gz", "decoy.yaml", "decoy.json", "elsewhere/conc.nii.gz"})
    std::ofstream(dir_ / decoy) << "{}\n";
  std::string const root = fs::canonical(dir_).string();
  {
    voxflow::testing::InjectedFault const logged(
        {{"VOXFLOW_FAULT_DIR", root}, {"VOXFLOW_FAULT_LOG", (dir_ / "events.log").string()}});
    ASSERT_EQ(run_subject(), 0) << err();
  }
  std::set<std::string> read;
  for (auto const& e : voxflow::testing::read_fault_log(dir_ / "events.log"))
    if (e.call == "read" && e.path.rfind(root + "/out/", 0) != 0) read.insert(e.path);
  EXPECT_EQ(read, (std::set<std::string>{fs::canonical(config_).string(), root + "/conc.nii.gz",
                                         root + "/time.txt", root + "/mask.nii.gz"}));
}

}  // namespace
