// Faults injected into single-subject runs of the voxflow executable at exact moments (fault_injection.hpp):
// a disk that fills up at every stage that writes, the output folder removed mid-run, a read-only output
// folder, an input cut short (before the run, and while it is being read), and kill -9 at 20 seeded moments.
// After each: the documented exit code and a clear message, nothing half-written under a final name, and the
// next run (--resume) gives the uninterrupted run's files byte for byte with no temporary left.
#include "cohort_kill.hpp"
#include "fault_injection.hpp"
#include "pipeline_test.hpp"
#include "small_tmpfs.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using voxflow::testing::read_file;

using voxflow::testing::FaultEvent;
using voxflow::testing::InjectedFault;

class FaultInjection : public voxflow::testing::CohortKillTest {
 protected:
  void SetUp() override {
    CohortKillTest::SetUp();
    scratch_.emplace(dir_);
    root_ = fs::canonical(dir_).string();  // what /proc/self/fd names the files by
    voxflow::pipeline::dce_run::DceSimulation sim;
    sim.matrix = {12, 8, 2};
    sim.noise = 0.0;
    config_ = simulate(sim);
  }
  void TearDown() override {
    scratch_.reset();
    CohortKillTest::TearDown();
  }

  // One run of the subject, one thread (so that event numbers repeat), with the preload set as `fault` says
  // (no fault: only the log, when `log` is set); returns the exit code.
  int run_with(std::vector<std::pair<std::string, std::string>> fault, std::string const& tag,
               std::vector<std::string> const& extra = {}) {
    fault.emplace_back("VOXFLOW_FAULT_DIR", root_);
    InjectedFault const injected(fault);
    std::vector<std::string> args{"--threads", "1", "run", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(config_);
    return voxflow(args, tag);
  }
  int rerun(std::string const& tag) {
    return voxflow({"--threads", "1", "run", "--quiet", "--resume", config_}, tag);
  }

  // The uninterrupted run, in <dir>/reference, and the events it made.
  std::vector<FaultEvent> run_reference() {
    EXPECT_EQ(run_with({{"VOXFLOW_FAULT_LOG", (dir_ / "events.log").string()}}, "reference"), 0)
        << err("reference");
    fs::rename(dir_ / "out", dir_ / "reference");
    return voxflow::testing::read_fault_log(dir_ / "events.log");
  }

  // After a fault: nothing complete-looking; then the rerun finishes with the reference's files.
  void expect_rerun_recovers(std::string const& what) {
    SCOPED_TRACE(what);
    expect_nothing_complete_looking(dir_ / "out");
    ASSERT_EQ(rerun("rerun"), 0) << err("rerun");
    expect_outputs_of(dir_ / "reference", dir_ / "out");
    fs::remove_all(dir_ / "out");
    ++faults_;
  }

  std::optional<voxflow::testing::ScratchFileSystem> scratch_;
  std::string root_, config_;
  int faults_ = 0;
};

// The kind of output a file is: each is written by its own stage, in this order.
std::string stage_of(std::string const& path) {
  std::string const name = voxflow::testing::final_name(path);
  for (auto const& [ending, stage] :
       std::vector<std::pair<std::string, std::string>>{{".lock", "lock"},
                                                        {"_run.json", "run record"},
                                                        {"dataset_description.json", "dataset description"},
                                                        {".bidsignore", "dataset description"},
                                                        {".nii.gz", "maps"},
                                                        {".json", "sidecars"},
                                                        {".tsv", "tables"},
                                                        {"_run.yaml", "configuration"},
                                                        {".h5", "HDF5"},
                                                        {".png", "QC image"}})
    if (voxflow::io::ends_with(name, ending)) return stage;
  return "other: " + name;
}

// Each stage's first write, and for each file written in several calls one in its middle: a disk that fills
// up there.
std::vector<FaultEvent> disk_full_moments(std::vector<FaultEvent> const& events) {
  std::vector<FaultEvent> moments;
  std::set<std::string> stages;
  std::map<std::string, std::vector<FaultEvent>> writes_of;
  for (auto const& e : events) {
    if (!e.writes()) continue;
    if (stages.insert(stage_of(e.path)).second) moments.push_back(e);
    writes_of[voxflow::testing::final_name(e.path)].push_back(e);
  }
  std::set<std::string> split;
  for (auto const& [file, writes] : writes_of)
    if (writes.size() >= 3 && split.insert(stage_of(file)).second)
      moments.push_back(writes[writes.size() / 2]);
  return moments;
}

TEST_F(FaultInjection, ADiskThatFillsUpAtEveryStageEndsWithTheOutputCodeAndTheRerunRecovers) {
  auto const events = run_reference();
  auto const moments = disk_full_moments(events);
  std::set<std::string> stages;
  for (auto const& m : moments) stages.insert(stage_of(m.path));
  // The stages that write, each with the files it writes (reading and fitting write nothing).
  EXPECT_EQ(stages, (std::set<std::string>{"lock", "maps", "sidecars", "tables", "configuration", "HDF5",
                                           "QC image", "dataset description", "run record"}));
  for (auto const& m : moments) {
    std::string const what = "disk full at event " + std::to_string(m.number) + " (" + m.call + " of " +
                             voxflow::testing::final_name(m.path) + ")";
    EXPECT_EQ(run_with({{"VOXFLOW_FAULT_ACTION", "enospc"}, {"VOXFLOW_FAULT_AT", std::to_string(m.number)}},
                       "full"),
              5)
        << what << ": " << err("full");
    EXPECT_NE(err("full").find("No space left on device"), std::string::npos) << what << ": " << err("full");
    expect_rerun_recovers(what);
  }
  std::printf("%d disk-full faults injected and survived\n", faults_);
}

TEST_F(FaultInjection, TheOutputFolderRemovedMidRunEndsWithTheOutputCodeAndTheRerunRecovers) {
  auto const events = run_reference();
  for (std::string const& stage : std::vector<std::string>{"maps", "HDF5", "run record"}) {
    auto const at = std::find_if(events.begin(), events.end(), [&](FaultEvent const& e) {
      return (e.writes() || e.call == "rename") && stage_of(e.path) == stage;
    });
    ASSERT_NE(at, events.end()) << stage;
    std::string const what = "output folder removed at " + stage;
    EXPECT_EQ(run_with({{"VOXFLOW_FAULT_ACTION", "remove"},
                        {"VOXFLOW_FAULT_AT", std::to_string(at->number)},
                        {"VOXFLOW_FAULT_REMOVE", (dir_ / "out").string()}},
                       "removed"),
              5)
        << what << ": " << err("removed");
    EXPECT_NE(err("removed").find("No such file or directory"), std::string::npos)
        << what << ": " << err("removed");
    expect_rerun_recovers(what);
  }
}

TEST_F(FaultInjection, AReadOnlyOutputFolderIsRefusedBeforeAnyWork) {
  // Root writes through permissions: a file system mounted read-only is what refuses it too.
  voxflow::testing::SmallTmpfs disk(64 * 1024);
  VOXFLOW_REQUIRE_SMALL_TMPFS(disk);
  ASSERT_EQ(::mount(nullptr, disk.path().c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0)
      << std::strerror(errno);
  std::string const out = (disk.path() / "out").string();
  EXPECT_EQ(voxflow({"run", "--quiet", "--output", out, config_}, "ro"), 5) << err("ro");
  EXPECT_NE(err("ro").find("Read-only file system"), std::string::npos) << err("ro");
  EXPECT_NE(err("ro").find(out), std::string::npos) << err("ro");
  EXPECT_TRUE(disk.entries().empty());
}

TEST_F(FaultInjection, AnInputCutShortIsAnInputErrorThatWritesNothing) {
  run_reference();
  std::string const conc = (dir_ / "conc.nii.gz").string();
  std::string const whole = read_file(conc);
  fs::resize_file(conc, fs::file_size(conc) / 2);
  EXPECT_EQ(rerun("cut"), 4) << err("cut");
  EXPECT_NE(err("cut").find(conc), std::string::npos) << err("cut");
  EXPECT_TRUE(!fs::exists(dir_ / "out") ||
              fs::recursive_directory_iterator(dir_ / "out") == fs::recursive_directory_iterator())
      << "a run on a broken input left files behind";
  std::ofstream(conc, std::ios::binary) << whole;
  expect_rerun_recovers("input cut short");
}

TEST_F(FaultInjection, AnInputTruncatedWhileItIsReadIsAnInputError) {
  // The simulator's full-size series (about 1 MB compressed). A reader that streams the voxel pass in several
  // calls has the file cut short in the middle of that pass; one that takes the whole file in one call (the
  // libdeflate path) has it cut short after the header pass, before the voxel pass reads it: either way the
  // series changes under the run while the run reads it.
  config_ = voxflow::pipeline::dce_run::simulate_dce([&] {
    voxflow::pipeline::dce_run::DceSimulation sim;
    sim.out_dir = dir_.string();
    return sim;
  }());
  auto const events = run_reference();
  std::string const conc = root_ + "/conc.nii.gz";
  // Reads of the series, the file offset after each; a second pass starts again at a low offset.
  std::vector<FaultEvent> reads;
  for (auto const& e : events)
    if (e.call == "read" && e.path == conc) reads.push_back(e);
  std::size_t pass_start = 0;
  for (std::size_t i = 1; i < reads.size(); ++i)
    if (reads[i].offset < reads[i - 1].offset) pass_start = i;
  ASSERT_GT(pass_start, 0u) << "the series is read in one pass: no moment between header and voxels";
  // The preload truncates after the read it is given (counting from 1).
  std::size_t const truncate_after = reads.size() - pass_start >= 3 ? pass_start + 2 : pass_start;
  std::string const whole = read_file(conc);
  std::string const marker = (dir_ / "truncated").string();
  EXPECT_EQ(run_with({{"VOXFLOW_FAULT_TRUNCATE", conc},
                      {"VOXFLOW_FAULT_TRUNCATE_READ", std::to_string(truncate_after)},
                      {"VOXFLOW_FAULT_TRUNCATED", marker}},
                     "truncated"),
            4)
      << err("truncated");
  ASSERT_TRUE(fs::exists(marker)) << "the preload did not truncate the series";
  EXPECT_NE(err("truncated").find(conc), std::string::npos) << err("truncated");
  std::ofstream(conc, std::ios::binary) << whole;
  expect_rerun_recovers("input truncated while read");
}

// A reader that crashes on a DICOM file (GDCM keeps its assertions on and aborts on some corrupt files): the
// preload aborts the process at its first read of a file of the series. The series is read in a child
// process first (read_dicom_series_guarded), so the abort ends that child only: the run exits with the
// input code, names the file and writes nothing; without the fault the same run succeeds.
TEST_F(FaultInjection, AReaderThatAbortsOnADicomFileIsAnInputErrorNamingIt) {
  auto sim = voxflow::testing::clean_signal_simulation();
  sim.matrix = {6, 5, 2};
  sim.frames = 20;
  simulate(sim);
  auto const signal = voxflow::io::read_nifti((dir_ / "signal.nii.gz").string());
  auto spec = voxflow::testing::simulator_grid_dicom(sim);
  double peak = 0.0;
  for (double v : signal.data) peak = std::max(peak, v);
  spec.rescale_slope = peak / 30000.0;
  for (double v : signal.data)
    spec.stored_values.push_back(static_cast<int>(std::lround(v / spec.rescale_slope)));
  voxflow::io::write_synthetic_dicom_series((dir_ / "dicom").string(), spec);
  config_ = (dir_ / "dicom.yaml").string();
  std::ofstream(config_) << "modality: dce\nsubject: sub-sim\ninputs:\n  signal: dicom\n  t1_map: t1.nii.gz\n"
                            "  mask: mask.nii.gz\nacquisition:\n  baseline_frames: [0, 5]\n"
                            "aif:\n  delay_s: 20\nfit:\n  model: tofts\noutput:\n  dir: out\n";
  ASSERT_EQ(run_with({{"VOXFLOW_FAULT_LOG", (dir_ / "events.log").string()}}, "reference"), 0)
      << err("reference");
  fs::remove_all(dir_ / "out");
  std::optional<FaultEvent> first_dicom_read;
  for (auto const& e : voxflow::testing::read_fault_log(dir_ / "events.log"))
    if (e.call == "read" && e.path.rfind(root_ + "/dicom/", 0) == 0 && !first_dicom_read)
      first_dicom_read = e;
  ASSERT_TRUE(first_dicom_read) << "the run read no file of the series";
  EXPECT_EQ(run_with({{"VOXFLOW_FAULT_AT", std::to_string(first_dicom_read->number)},
                      {"VOXFLOW_FAULT_ACTION", "abort"}},
                     "abort"),
            4)
      << err("abort");
  EXPECT_NE(err("abort").find(first_dicom_read->path), std::string::npos) << err("abort");
  EXPECT_NE(err("abort").find("ended the reading process with signal " + std::to_string(SIGABRT)),
            std::string::npos)
      << err("abort");
  EXPECT_TRUE(!fs::exists(dir_ / "out/sub-sim") ||
              fs::recursive_directory_iterator(dir_ / "out/sub-sim") == fs::recursive_directory_iterator())
      << "a run on a crashing input left files behind";
}

TEST_F(FaultInjection, KillNineAtTwentySeededMomentsOfARunAndTheRerunRecovers) {
  auto const events = run_reference();
  ASSERT_GE(events.size(), 20u);
  // Moments anywhere from reading the configuration to renaming the run record into place.
  std::mt19937 random(14);
  std::uniform_int_distribution<long> moment(1, static_cast<long>(events.size()));
  std::map<std::string, int> hit;
  for (int k = 0; k < 20; ++k) {
    FaultEvent const& e = events[static_cast<std::size_t>(moment(random) - 1)];
    std::string const what = "kill -9 at event " + std::to_string(e.number) + " (" + e.call + " of " +
                             voxflow::testing::final_name(e.path) + ")";
    EXPECT_EQ(run_with({{"VOXFLOW_FAULT_ACTION", "kill"}, {"VOXFLOW_FAULT_AT", std::to_string(e.number)}},
                       "killed"),
              128 + SIGKILL)
        << what << ": " << err("killed");
    ++hit[e.call == "read" ? "reading" : stage_of(e.path)];
    expect_rerun_recovers(what);
  }
  for (auto const& [stage, count] : hit) std::printf("%d kills at %s\n", count, stage.c_str());
  std::printf("%d kills injected and survived\n", faults_);
  EXPECT_EQ(faults_, 20);
}

}  // namespace
