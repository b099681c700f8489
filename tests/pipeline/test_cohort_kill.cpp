// kill -9 in the middle of a cohort, in sequence (once by time, and at 20 seeded moments) and under
// mpiexec -np 2 (as root in CI): nothing half-written looks complete, --resume finishes the cohort, and its
// maps equal an uninterrupted run's byte for byte. A rank killed alone ends the whole job with a message and
// a nonzero exit.
#include "cohort_kill.hpp"
#include "fault_injection.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>

namespace {

using voxflow::testing::InjectedFault;
using voxflow::testing::LedgerRow;
using Rows = std::vector<LedgerRow>;

class CohortKill : public voxflow::testing::CohortKillTest {
 protected:
  // The uninterrupted run all kills are compared with, in <dir>/reference.
  void run_reference(std::string const& cohort) {
    ASSERT_EQ(voxflow({"run", "--quiet", "--output", (dir_ / "reference").string(), cohort}, "reference"), 0)
        << err("reference");
  }
  // The resumed run finishes every subject; some were done before the kill, some after.
  void expect_resume_finishes(std::vector<std::string> const& args, std::string const& tag) {
    ASSERT_EQ(run_program(args.front(), {args.begin() + 1, args.end()}, tag), 0) << err(tag);
    auto const rows = ledger();
    EXPECT_GE(count_status(rows, "skipped"), 1u);
    EXPECT_GE(count_status(rows, "done"), 1u);
    EXPECT_EQ(count_status(rows, "skipped") + count_status(rows, "done"), rows.size());
    expect_maps_of("reference");
  }
};

TEST_F(CohortKill, ASequentialRunKilledMidCohortResumesToTheSameBytes) {
  auto const cohort = simulate_subjects(5);
  run_reference(cohort);
  {
    voxflow::testing::ChildProcess run(VOXFLOW_CLI, {"run", "--quiet", cohort},
                                       (dir_ / "killed.err").string(), (dir_ / "killed.out").string());
    Rows at_kill;
    ASSERT_TRUE(wait_for_ledger([&](Rows const& rows) {
      at_kill = rows;
      return count_status(rows, "done") >= 1;
    }));
    ::kill(run.pid(), SIGKILL);
    EXPECT_EQ(voxflow::testing::exit_code_of(run.wait()), 128 + SIGKILL);
    ASSERT_GE(count_status(at_kill, "pending"), 1u) << "the cohort ended before the kill";
  }
  expect_nothing_half_written();
  expect_resume_finishes({VOXFLOW_CLI, "run", "--quiet", "--resume", cohort}, "resume");
}

// The preload (tests/faults/fault_injection.hpp) kills the run at 20 seeded moments, numbered by the file
// calls a one-thread run makes: from reading the cohort file, through each subject's inputs and outputs, to
// the last ledger update.
TEST_F(CohortKill, KillNineAtTwentySeededMomentsOfASequentialCohortResumesToTheSameBytes) {
  voxflow::testing::ScratchFileSystem const scratch(dir_);
  auto const cohort = simulate_subjects_of(2, [](int s) { return std::array<int, 3>{6 + s, 4, 1}; });
  std::string const root = std::filesystem::canonical(dir_).string();
  auto const log = (dir_ / "events.log").string();
  {
    InjectedFault const logged({{"VOXFLOW_FAULT_DIR", root}, {"VOXFLOW_FAULT_LOG", log}});
    ASSERT_EQ(voxflow({"--threads", "1", "run", "--quiet", cohort}, "reference"), 0) << err("reference");
  }
  std::filesystem::rename(dir_ / "out", dir_ / "reference");
  auto const events = voxflow::testing::read_fault_log(log);
  ASSERT_GE(events.size(), 20u);
  std::mt19937 random(14);
  std::uniform_int_distribution<std::size_t> moment(1, events.size());
  int survived = 0;
  for (int k = 0; k < 20; ++k) {
    std::size_t const at = moment(random);
    SCOPED_TRACE("kill -9 at event " + std::to_string(at) + " (" + events[at - 1].call + " of " +
                 voxflow::testing::final_name(events[at - 1].path) + ")");
    {
      InjectedFault const kill({{"VOXFLOW_FAULT_DIR", root},
                                {"VOXFLOW_FAULT_ACTION", "kill"},
                                {"VOXFLOW_FAULT_AT", std::to_string(at)}});
      EXPECT_EQ(voxflow({"--threads", "1", "run", "--quiet", cohort}, "killed"), 128 + SIGKILL)
          << err("killed");
    }
    expect_nothing_complete_looking(dir_ / "out");
    ASSERT_EQ(voxflow({"--threads", "1", "run", "--quiet", "--resume", cohort}, "resume"), 0)
        << err("resume");
    auto const rows = ledger();
    EXPECT_EQ(rows.size(), 2u);
    EXPECT_EQ(count_status(rows, "skipped") + count_status(rows, "done"), rows.size());
    expect_outputs_of(dir_ / "reference", dir_ / "out");
    std::filesystem::remove_all(dir_ / "out");
    ++survived;
  }
  std::printf("%d kills of a sequential cohort injected and survived\n", survived);
}

#if defined(VOXFLOW_MPIEXEC)

class CohortKillMpi : public CohortKill {
 protected:
  void SetUp() override {
    CohortKill::SetUp();
    marker_ = "VOXFLOW_KILL_TEST=" + dir_.string();
    ::setenv("VOXFLOW_KILL_TEST", dir_.string().c_str(), 1);  // every rank inherits it
  }
  void TearDown() override {
    ::unsetenv("VOXFLOW_KILL_TEST");
    CohortKill::TearDown();
  }
  std::vector<std::string> mpiexec_args(std::vector<std::string> const& voxflow_args) const {
    std::vector<std::string> args{"--allow-run-as-root", "--oversubscribe", "-np", "2", VOXFLOW_CLI};
    args.insert(args.end(), voxflow_args.begin(), voxflow_args.end());
    return args;
  }
  // Waits until rank 1 runs a subject while one is done and at least `still_pending` still wait; what the
  // ledger said then. Subjects take tens of milliseconds: with one left to wait for, rank 0 could finish the
  // cohort between this look at the ledger and the kill landing, and nothing would be left to resume.
  static constexpr std::size_t still_pending = 3;
  Rows until_rank_one_works() const {
    Rows at;
    EXPECT_TRUE(wait_for_ledger([&](Rows const& rows) {
      at = rows;
      if (count_status(rows, "done") == 0 || count_status(rows, "pending") < still_pending) return false;
      for (auto const& r : rows)
        if (r.at("status") == "running" && r.at("rank") == "1") return true;
      return false;
    }));
    return at;
  }
  // Up to 10 s for the job's processes to end (a killed one leaves /proc's environ readable no longer).
  void wait_until_gone() const {
    for (int i = 0; i < 2000 && !processes_with(marker_).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string marker_;
};

TEST_F(CohortKillMpi, OneRankKilledEndsTheJobWithAMessageAndResumeFinishesIt) {
  auto const cohort = simulate_subjects(8);
  run_reference(cohort);
  {
    voxflow::testing::ChildProcess job(VOXFLOW_MPIEXEC, mpiexec_args({"run", cohort}),
                                       (dir_ / "killed.err").string(), (dir_ / "killed.out").string());
    auto const at_kill = until_rank_one_works();
    auto const rank_one = processes_with(marker_, 1);
    ASSERT_EQ(rank_one.size(), 1u);
    ::kill(rank_one.front(), SIGKILL);
    int const code = voxflow::testing::exit_code_of(job.wait());
    EXPECT_NE(code, 0);
    EXPECT_NE(code, 7);  // not "completed with failures": the job did not complete
    ASSERT_GE(count_status(at_kill, "pending"), 1u);
  }
  // The launcher names the dead rank and its signal; no rank is left behind.
  std::string const message = err("killed");
  EXPECT_TRUE(message.find("rank 1") != std::string::npos && message.find("signal 9") != std::string::npos)
      << message;
  wait_until_gone();
  EXPECT_TRUE(processes_with(marker_).empty());
  expect_nothing_half_written();
  std::vector<std::string> resume{VOXFLOW_MPIEXEC};
  for (auto const& a : mpiexec_args({"run", "--resume", cohort})) resume.push_back(a);
  expect_resume_finishes(resume, "resume");
}

TEST_F(CohortKillMpi, TheWholeJobKilledResumesToTheSameBytes) {
  auto const cohort = simulate_subjects(8);
  run_reference(cohort);
  {
    voxflow::testing::ChildProcess job(VOXFLOW_MPIEXEC, mpiexec_args({"run", cohort}),
                                       (dir_ / "killed.err").string(), (dir_ / "killed.out").string());
    auto const at_kill = until_rank_one_works();
    // Ranks first, then the launcher (which would otherwise report them), all by SIGKILL.
    auto const ranks = processes_with(marker_, 0);
    auto const others = processes_with(marker_, 1);
    ASSERT_EQ(ranks.size() + others.size(), 2u);
    for (pid_t pid : ranks) ::kill(pid, SIGKILL);
    for (pid_t pid : others) ::kill(pid, SIGKILL);
    ::kill(job.pid(), SIGKILL);
    EXPECT_EQ(voxflow::testing::exit_code_of(job.wait()), 128 + SIGKILL);
    ASSERT_GE(count_status(at_kill, "pending"), 1u);
  }
  wait_until_gone();
  expect_nothing_half_written();
  std::vector<std::string> resume{VOXFLOW_MPIEXEC};
  for (auto const& a : mpiexec_args({"run", "--resume", cohort})) resume.push_back(a);
  expect_resume_finishes(resume, "resume");
}

// kill -9 of one rank at 20 seeded moments of its file calls (the preload, VOXFLOW_FAULT_RANK): rank 1, which
// runs subjects, and rank 0, which also serves the queue and writes the ledger, in turn. The dynamic queue
// makes a rank's calls differ from run to run, so the moments are drawn from the first half of those a rank
// made in the uninterrupted run, and again below what a killed run reached when it never got that far. After
// each kill the job has ended, nothing half-written looks complete, and --resume under mpiexec finishes the
// cohort with the reference's maps.
TEST_F(CohortKillMpi, KillNineOfOneRankAtTwentySeededMomentsResumesToTheSameBytes) {
  voxflow::testing::ScratchFileSystem const scratch(dir_);
  auto const cohort = simulate_subjects_of(4, [](int s) { return std::array<int, 3>{6 + s, 4, 1}; });
  std::string const root = std::filesystem::canonical(dir_).string();
  std::vector<std::string> const run = mpiexec_args({"--threads", "1", "run", "--quiet", cohort});
  std::vector<std::string> const resume =
      mpiexec_args({"--threads", "1", "run", "--quiet", "--resume", cohort});
  std::array<std::size_t, 2> events{};
  for (int rank : {0, 1}) {
    auto const log = (dir_ / ("events-" + std::to_string(rank) + ".log")).string();
    InjectedFault const logged({{"VOXFLOW_FAULT_DIR", root},
                                {"VOXFLOW_FAULT_LOG", log},
                                {"VOXFLOW_FAULT_RANK", std::to_string(rank)}});
    ASSERT_EQ(run_program(VOXFLOW_MPIEXEC, run, "reference"), 0) << err("reference");
    events[rank] = voxflow::testing::read_fault_log(log).size();
    ASSERT_GE(events[rank], 20u) << "rank " << rank;
    if (rank == 0)
      std::filesystem::rename(dir_ / "out", dir_ / "reference");
    else
      std::filesystem::remove_all(dir_ / "out");
  }
  std::mt19937 random(12);
  auto draw_below = [&](std::size_t calls) {
    return std::uniform_int_distribution<std::size_t>(1, std::max<std::size_t>(1, calls / 2))(random);
  };
  int killed = 0;
  for (int k = 0; k < 20; ++k) {
    int const rank = k % 2;
    std::size_t at = draw_below(events[rank]);
    // The killed run logs its calls too: when its queue gave the rank fewer calls than `at` (the kill never
    // fired and the cohort simply completed), the moment is drawn again below what that run reached.
    auto const log = dir_ / "events-killed.log";
    for (int attempt = 0;; ++attempt) {
      SCOPED_TRACE("kill -9 of rank " + std::to_string(rank) + " at its event " + std::to_string(at));
      std::filesystem::remove(log);
      InjectedFault const kill({{"VOXFLOW_FAULT_DIR", root},
                                {"VOXFLOW_FAULT_LOG", log.string()},
                                {"VOXFLOW_FAULT_ACTION", "kill"},
                                {"VOXFLOW_FAULT_AT", std::to_string(at)},
                                {"VOXFLOW_FAULT_RANK", std::to_string(rank)}});
      int const code = run_program(VOXFLOW_MPIEXEC, run, "killed");
      std::size_t const reached = voxflow::testing::last_fault_event(log);
      if (reached < at) {
        ASSERT_EQ(code, 0) << "an unkilled cohort failed: " << err("killed");
        ASSERT_LT(attempt, 5) << "rank " << rank << " kept making fewer than " << at << " calls";
        wait_until_gone();
        std::filesystem::remove_all(dir_ / "out");
        at = draw_below(reached);
        continue;
      }
      EXPECT_NE(code, 0) << err("killed");
      EXPECT_NE(code, 7) << "a job with a killed rank did not complete, with or without failures";
      killed += code != 0;
      break;
    }
    wait_until_gone();
    EXPECT_TRUE(processes_with(marker_).empty()) << "a rank outlived the job";
    expect_nothing_complete_looking(dir_ / "out");
    ASSERT_EQ(run_program(VOXFLOW_MPIEXEC, resume, "resume"), 0) << err("resume");
    auto const rows = ledger();
    EXPECT_EQ(rows.size(), 4u);
    EXPECT_EQ(count_status(rows, "skipped") + count_status(rows, "done"), rows.size());
    expect_maps_of("reference");
    expect_no_temporaries(dir_ / "out");
    std::filesystem::remove_all(dir_ / "out");
  }
  std::printf("%d kills of one rank of an MPI cohort injected and survived\n", killed);
}

#endif

}  // namespace
