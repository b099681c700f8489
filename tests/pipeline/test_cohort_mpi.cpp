// A cohort across two MPI ranks (mpiexec -np 2, as root in CI): the contract gives the same ledger as in
// sequence and maps byte-identical to the sequential run's; a failing subject on either rank is recorded and
// the job exits 7 on every rank.
#include "cohort_contract.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

namespace fs = std::filesystem;
using voxflow::testing::read_file;

namespace {

using CohortMpi = voxflow::testing::CohortMpiTest;

TEST_F(CohortMpi, TwoRanksGiveTheLedgerAndMapsOfTheSequentialRun) {
  auto const cohort = simulate_cohort();
  ASSERT_EQ(voxflow({"run", "--quiet", "--output", (dir_ / "sequential").string(), cohort}, "sequential"), 0)
      << err("sequential");
  ASSERT_EQ(mpiexec({"run", cohort}, "mpi"), 0) << err("mpi") << read_file(dir_ / "mpi.out");
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("subject"), "sub-01");
  EXPECT_EQ(rows[1].at("subject"), "sub-02");
  auto const sequential = ledger("sequential");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].at("status"), "done") << rows[i].at("message");
    EXPECT_TRUE(rows[i].at("rank") == "0" || rows[i].at("rank") == "1") << rows[i].at("rank");
    EXPECT_EQ(rows[i].at("voxels"), sequential[i].at("voxels"));
  }
  // Every map of every subject, byte for byte.
  int compared = 0;
  for (auto const& e : fs::recursive_directory_iterator(dir_ / "sequential")) {
    if (!voxflow::io::ends_with(e.path().string(), ".nii.gz")) continue;
    auto const twin = dir_ / "out" / fs::relative(e.path(), dir_ / "sequential");
    EXPECT_EQ(read_file(e.path()), read_file(twin)) << twin;
    ++compared;
  }
  EXPECT_GE(compared, 2 * 3);
  EXPECT_EQ(read_file(ktrans("sub-01")), read_file(ktrans("sub-01", "sequential")));
  EXPECT_EQ(read_file(ktrans("sub-02")), read_file(ktrans("sub-02", "sequential")));
}

TEST_F(CohortMpi, AFailingSubjectIsRecordedByRankZeroAndEveryRankExitsSeven) {
  auto const cohort = simulate_cohort();
  fs::remove(dir_ / "sub-02" / "conc.nii.gz");
  EXPECT_EQ(mpiexec({"run", cohort}, "mpi"), 7) << err("mpi");
  auto const rows = ledger();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("status"), "done") << rows[0].at("message");
  EXPECT_EQ(rows[1].at("status"), "failed");
  EXPECT_NE(rows[1].at("message").find("conc.nii.gz"), std::string::npos) << rows[1].at("message");
  EXPECT_TRUE(fs::exists(ktrans("sub-01")));

  // --resume over two ranks finishes the cohort once the input is back.
  voxflow::pipeline::dce_run::DceSimulation sim;
  sim.out_dir = (dir_ / "sub-02").string();
  sim.matrix = {12, 8, 2};
  sim.noise = 0.0;
  voxflow::pipeline::dce_run::simulate_dce(sim);
  EXPECT_EQ(mpiexec({"run", "--resume", cohort}, "resume"), 0) << err("resume");
  auto const resumed = ledger();
  EXPECT_EQ(resumed[0].at("status"), "skipped");
  EXPECT_EQ(resumed[1].at("status"), "done") << resumed[1].at("message");
}

// Without --threads, threads: or OMP_NUM_THREADS, each of the two ranks on this node takes half the hardware
// threads (within the CPUs it may run on); --threads wins.
TEST_F(CohortMpi, EachRankTakesItsShareOfTheHostThreadsUnlessTold) {
  auto const cohort = simulate_cohort();
  auto host_threads = [&](std::string const& id) {
    auto const record =
        nlohmann::json::parse(read_file(dir_ / "out" / id / "perf" / (id + "_desc-extendedtofts_run.json")));
    return record.at("HostThreads").get<int>();
  };
  char const* set = std::getenv("OMP_NUM_THREADS");
  std::optional<std::string> const saved = set ? std::optional<std::string>(set) : std::nullopt;
  ::unsetenv("OMP_NUM_THREADS");  // the child inherits this process's environment
  int const unbound = mpiexec({"run", cohort}, "share");
  if (saved) ::setenv("OMP_NUM_THREADS", saved->c_str(), 1);
  ASSERT_EQ(unbound, 0) << err("share");
  int const hardware = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  cpu_set_t cpus;
  ASSERT_EQ(::sched_getaffinity(0, sizeof(cpus), &cpus), 0);
  // Open MPI binds each of two ranks to a core by default; at most half the node's threads either way.
  int const most = std::max(1, std::min(CPU_COUNT(&cpus), hardware / 2));
  for (std::string id : {"sub-01", "sub-02"}) {
    EXPECT_GE(host_threads(id), 1) << id;
    EXPECT_LE(host_threads(id), most) << id;
  }

  ASSERT_EQ(mpiexec({"--threads", "3", "run", "--overwrite", cohort}, "told"), 0) << err("told");
  for (std::string id : {"sub-01", "sub-02"}) EXPECT_EQ(host_threads(id), 3) << id;
}

}  // namespace
