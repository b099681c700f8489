// The voxflow executable as batch scripts use it: the configuration's `threads` key sizes the thread pool,
// every kind of failure has its exit code, SIGTERM removes temporaries and exits with 128 + 15, two runs on
// one output folder never mix their files, and a full disk leaves no complete-looking subject and no empty
// file.
#include "child_process.hpp"
#include "pipeline_test.hpp"
#include "small_tmpfs.hpp"

#include <voxflow/core/thread_count.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/run_record.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <thread>

namespace fs = std::filesystem;
using voxflow::pipeline::dce_run::DceSimulation;
using voxflow::testing::ChildProcess;
using voxflow::testing::exit_code_of;

namespace {

using voxflow::testing::read_file;

class Cli : public voxflow::testing::PipelineTest {
 protected:
  std::string with(std::string const& config, std::string const& name, std::string const& extra) {
    auto const path = (dir_ / name).string();
    std::ofstream(path) << read_file(config) << extra;
    return path;
  }
  // Runs voxflow with `args` to the end; returns the exit code a shell reports. stdout/stderr go to
  // <tag>.out/<tag>.err.
  int voxflow(std::vector<std::string> const& args, std::string const& tag = "run") {
    ChildProcess child(VOXFLOW_CLI, args, log(tag, ".err"), log(tag, ".out"));
    return exit_code_of(child.wait());
  }
  std::string log(std::string const& tag, std::string const& extension) const {
    return (dir_ / (tag + extension)).string();
  }
  std::string err(std::string const& tag = "run") const { return read_file(log(tag, ".err")); }
  fs::path perf(std::string const& out = "out") const { return dir_ / out / "sub-sim" / "perf"; }
  nlohmann::json record(std::string const& out = "out") const {
    return nlohmann::json::parse(read_file(perf(out) / "sub-sim_desc-extendedtofts_run.json"));
  }
  // No run record, no temporary and no empty file under a final name anywhere below `folder`.
  void expect_nothing_complete_looking(fs::path const& folder) {
    if (!fs::exists(folder)) return;
    for (auto const& e : fs::recursive_directory_iterator(folder)) {
      std::string const name = e.path().filename().string();
      EXPECT_EQ(name.find("_run.json"), std::string::npos) << e.path();
      EXPECT_EQ(name.find(".partial-"), std::string::npos) << e.path();
      if (e.is_regular_file()) {
        EXPECT_GT(e.file_size(), 0u) << e.path();
      }
    }
  }
};

TEST_F(Cli, TheThreadsKeySizesTheHostThreadPoolAndTheCommandLineWins) {
  auto const config = simulate();
  auto const one = with(config, "one.yaml", "threads: 1\n");
  ASSERT_EQ(voxflow({"run", "--quiet", one, "--output", (dir_ / "one").string()}), 0) << err();
  EXPECT_EQ(record("one")["HostThreads"], 1);
  auto const two = with(config, "two.yaml", "threads: 2\n");
  ASSERT_EQ(voxflow({"run", "--quiet", two, "--output", (dir_ / "two").string()}), 0) << err();
  EXPECT_EQ(record("two")["HostThreads"], 2);
  ASSERT_EQ(voxflow({"--threads", "1", "run", "--quiet", two, "--output", (dir_ / "cli").string()}), 0)
      << err();
  EXPECT_EQ(record("cli")["HostThreads"], 1);
}

TEST_F(Cli, EveryKindOfFailureHasItsExitCode) {
  auto const config = simulate();
  EXPECT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
  EXPECT_EQ(voxflow({"run", "--quiet", config}), 5) << err();  // finished: neither --overwrite nor --resume
  EXPECT_EQ(voxflow({"run", "--quiet", "--resume", config}), 0) << err();
  EXPECT_EQ(voxflow({"run", "--frobnicate", config}), 2);
  EXPECT_EQ(voxflow({"run", with(config, "bad.yaml", "t1_mapping:\n  methd: linear\n")}), 3);
  EXPECT_NE(err().find("did you mean"), std::string::npos) << err();
  EXPECT_EQ(voxflow({"validate", config}), 0) << err();
  EXPECT_NE(read_file(log("run", ".out")).find("valid (dce, extended_tofts"), std::string::npos);
  // A missing input, and a symbolic-link loop where an input should be: input errors (4), not internal ones.
  std::string text = read_file(config);
  text.replace(text.find("conc.nii.gz"), 11, "missing.nii.gz");
  std::ofstream(dir_ / "missing.yaml") << text;
  EXPECT_EQ(voxflow({"validate", (dir_ / "missing.yaml").string()}), 4) << err();
  fs::create_symlink(dir_ / "loop", dir_ / "loop");
  text.replace(text.find("missing.nii.gz"), 14, "loop");
  std::ofstream(dir_ / "loop.yaml") << text;
  EXPECT_EQ(voxflow({"run", "--quiet", (dir_ / "loop.yaml").string(), "--output", (dir_ / "loop").string()}),
            4)
      << err();
  EXPECT_NE(err().find("loop"), std::string::npos) << err();
  // A run that gives no usable voxel: its own code, and the summary says why.
  auto const nothing_usable = with(config, "empty.yaml", "");
  {
    std::string flat = read_file(nothing_usable);
    flat.replace(flat.find("conc.nii.gz"), 11, "nan.nii.gz");
    std::ofstream(nothing_usable) << flat;
    auto const conc = voxflow::io::read_nifti((dir_ / "conc.nii.gz").string());
    std::vector<double> nan(conc.data.size(), std::numeric_limits<double>::quiet_NaN());
    voxflow::io::write_nifti_4d((dir_ / "nan.nii.gz").string(), conc.geometry, conc.dims, nan);
  }
  EXPECT_EQ(voxflow({"run", "--quiet", nothing_usable, "--output", (dir_ / "nan").string()}), 8) << err();
  EXPECT_NE(err().find("FAILED"), std::string::npos) << err();
  EXPECT_NE(err().find("usable"), std::string::npos) << err();
}

TEST_F(Cli, DefaultsAndSimulationComeFromTheModalityRegistry) {
  EXPECT_EQ(voxflow({"dump-defaults", "dce"}), 0);
  EXPECT_NE(read_file(log("run", ".out")).find("max_iterations: 100"), std::string::npos);
  EXPECT_EQ(voxflow({"dump-defaults", "pet"}), 3);
  EXPECT_NE(err().find("one of dce"), std::string::npos) << err();
  EXPECT_EQ(
      voxflow({"simulate", "dce", "--out", (dir_ / "a").string(), "--matrix", "4,3,2", "--frames", "12"}), 0)
      << err();
  EXPECT_TRUE(fs::exists(dir_ / "a/config.yaml"));
  EXPECT_EQ(voxflow({"simulate", "--out", (dir_ / "b").string(), "dce", "--model", "tofts"}), 0) << err();
  EXPECT_NE(read_file(dir_ / "b/config.yaml").find("model: tofts"), std::string::npos);
  EXPECT_EQ(voxflow({"simulate", "dce", "--out", (dir_ / "c").string(), "--model", "nope"}), 2);
  EXPECT_EQ(voxflow({"simulate", "dce", "--out", (dir_ / "c").string(), "--matrix", "4,3"}), 2);
}

TEST_F(Cli, SigtermRemovesTemporariesAndExitsWith143) {
  DceSimulation sim;
  sim.matrix = {48, 48, 8};
  sim.model = voxflow::dce::DceModel::two_compartment_exchange;
  sim.tissue_delay_s = 2.0;  // slow fits: the signal arrives while the run works
  auto const config = simulate(sim);
  ChildProcess child(VOXFLOW_CLI, {"run", "--quiet", config}, log("run", ".err"), log("run", ".out"));
  for (int i = 0; i < 2000 && !fs::exists(perf()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(child.pid(), SIGTERM);
  int const code = exit_code_of(child.wait());
  if (code == 0) GTEST_SKIP() << "the run finished before the signal arrived";
  EXPECT_EQ(code, 128 + SIGTERM) << err();
  EXPECT_NE(err().find("signal 15"), std::string::npos) << err();
  expect_nothing_complete_looking(dir_ / "out");
  for (auto const& e : fs::recursive_directory_iterator(dir_ / "out"))
    EXPECT_EQ(e.path().filename().string().find(".lock"), std::string::npos) << e.path();
}

TEST_F(Cli, TwoRunsOnOneOutputFolderNeverMixTheirFiles) {
  DceSimulation sim;
  sim.matrix = {40, 40, 6};
  auto const config = simulate(sim);
  auto const serial = with(config, "serial.yaml", "");
  {
    std::string text = read_file(serial);
    text.replace(text.find("backend: auto"), 13, "backend: serial");
    std::ofstream(serial) << text;
  }
  ChildProcess first(VOXFLOW_CLI, {"run", "--quiet", config}, log("first", ".err"), log("first", ".out"));
  ChildProcess second(VOXFLOW_CLI, {"run", "--quiet", serial}, log("second", ".err"), log("second", ".out"));
  int const a = exit_code_of(first.wait()), b = exit_code_of(second.wait());
  // One finishes; the other is refused, either while the first holds the folder or because it has finished.
  EXPECT_EQ(std::min(a, b), 0) << err("first") << err("second");
  EXPECT_EQ(std::max(a, b), 5) << err("first") << err("second");
  auto const loser = err(a == 0 ? "second" : "first");
  EXPECT_TRUE(loser.find("another voxflow run") != std::string::npos ||
              loser.find("already exist") != std::string::npos)
      << loser;
  auto const state = voxflow::pipeline::check_run_record(
      (perf() / "sub-sim_desc-extendedtofts_run.json").string(), (dir_ / "out").string());
  EXPECT_TRUE(state.complete) << state.problem;  // every file is the one the winner recorded
}

TEST_F(Cli, AFullDiskLeavesNoCompleteLookingSubject) {
  auto const config = simulate();
  voxflow::testing::SmallTmpfs disk(256 * 1024);
  VOXFLOW_REQUIRE_SMALL_TMPFS(disk);
  EXPECT_EQ(voxflow({"run", "--quiet", config, "--output", disk.path().string()}), 5) << err();
  EXPECT_NE(err().find("free space"), std::string::npos) << err();
  expect_nothing_complete_looking(disk.path());
}

TEST_F(Cli, AWriteThatFailsHalfwayLeavesNoCompleteLookingSubject) {
  auto const config = simulate();
  // Files may grow to 8 kB: the maps fit, the HDF5 file and the QC image do not. The child ignores SIGXFSZ,
  // so an oversized write fails with EFBIG instead of killing it.
  struct sigaction ignore = {}, previous = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGXFSZ, &ignore, &previous);
  rlimit original{};
  ::getrlimit(RLIMIT_FSIZE, &original);
  rlimit limited = original;
  limited.rlim_cur = 8000;
  ::setrlimit(RLIMIT_FSIZE, &limited);
  ChildProcess child(VOXFLOW_CLI, {"run", "--quiet", config}, log("run", ".err"), log("run", ".out"));
  ::setrlimit(RLIMIT_FSIZE, &original);
  ::sigaction(SIGXFSZ, &previous, nullptr);
  EXPECT_EQ(exit_code_of(child.wait()), 5) << err();
  EXPECT_TRUE(fs::exists(perf() / "sub-sim_desc-extendedtofts_Ktrans.nii.gz"));  // written before the failure
  expect_nothing_complete_looking(dir_ / "out");
  // The next run finishes the subject.
  EXPECT_EQ(voxflow({"run", "--quiet", "--resume", config}), 0) << err();
  EXPECT_TRUE(fs::exists(perf() / "sub-sim_desc-extendedtofts_run.json"));
}

}  // namespace

// More host threads than Kokkos' OpenMP backend holds (512) used to overrun its per-thread table and crash;
// now the request is capped to the CPUs this process may use, and stderr says why.
TEST_F(Cli, ThreadRequestsBeyondWhatKokkosHoldsAreCappedAndExplained) {
  ASSERT_EQ(voxflow({"--threads", "1000", "info"}, "flag"), 0) << err("flag");
  EXPECT_NE(err("flag").find("threads 1000 is more than the 512"), std::string::npos) << err("flag");
  std::string const cpus = std::to_string(std::min(voxflow::available_cpus(), 512));
  EXPECT_NE(read_file(log("flag", ".out")).find(", threads " + cpus + "\n"), std::string::npos)
      << read_file(log("flag", ".out"));

  std::optional<std::string> saved;
  if (char const* set = std::getenv("OMP_NUM_THREADS")) saved = set;
  ::setenv("OMP_NUM_THREADS", "5000", 1);  // the child inherits this process's environment
  int const code = voxflow({"info"}, "env");
  if (saved)
    ::setenv("OMP_NUM_THREADS", saved->c_str(), 1);
  else
    ::unsetenv("OMP_NUM_THREADS");
  ASSERT_EQ(code, 0) << err("env");
  EXPECT_NE(err("env").find("OMP_NUM_THREADS=5000 is more than the 512"), std::string::npos) << err("env");
  EXPECT_NE(read_file(log("env", ".out")).find(", threads " + cpus + "\n"), std::string::npos)
      << read_file(log("env", ".out"));
}

// `voxflow info` is text that scripts grep: no NUL byte (Open MPI's version length counts its terminator).
TEST_F(Cli, InfoIsPlainTextWithoutNulBytes) {
  ASSERT_EQ(voxflow({"info"}, "info"), 0) << err("info");
  std::string const out = read_file(log("info", ".out"));
  EXPECT_NE(out.find("MPI: "), std::string::npos) << out;
  EXPECT_EQ(out.find('\0'), std::string::npos) << "a NUL byte at offset " << out.find('\0');
}

// validate checks headers only, and says so; validate --deep reads every NIfTI input in full, so a truncated
// .nii.gz (a valid header, a broken stream) is found before a run, and it counts the non-finite values.
TEST_F(Cli, ValidateSaysWhatItCheckedAndDeepReadsEveryVoxel) {
  auto const config = simulate();
  ASSERT_EQ(voxflow({"validate", "--deep", config}, "deep"), 0) << err("deep");
  std::string const deep = read_file(log("deep", ".out"));
  EXPECT_NE(deep.find("deep check: "), std::string::npos) << deep;
  EXPECT_NE(deep.find("read in full"), std::string::npos) << deep;
  EXPECT_NE(deep.find(" 0 non-finite"), std::string::npos) << deep;

  std::string conc;
  for (auto const& e : fs::recursive_directory_iterator(dir_))
    if (e.path().filename().string().find("conc.nii.gz") != std::string::npos) conc = e.path().string();
  ASSERT_FALSE(conc.empty());
  fs::resize_file(conc, fs::file_size(conc) - 64);  // the header intact, the end of the stream gone
  ASSERT_EQ(voxflow({"validate", config}, "plain"), 0) << err("plain");
  EXPECT_NE(read_file(log("plain", ".out")).find("headers checked only"), std::string::npos)
      << read_file(log("plain", ".out"));
  EXPECT_EQ(voxflow({"validate", "--deep", config}, "broken"), 4) << err("broken");
  EXPECT_NE(err("broken").find(conc), std::string::npos) << err("broken");
}
