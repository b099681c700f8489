// What the kill -9 cohort tests share (test_cohort_kill.cpp): a cohort of several simulated subjects large
// enough that a run can be caught in the middle, the ledger watched while it runs, the processes of one
// job found by a marker in their environment, and the two checks after a kill: no final-named file is
// half-written, and --resume gives the maps of an uninterrupted run byte for byte.
#ifndef VOXFLOW_TESTS_PIPELINE_COHORT_KILL_HPP
#define VOXFLOW_TESTS_PIPELINE_COHORT_KILL_HPP

#include "cohort_contract.hpp"

#include <voxflow/io/nifti_image.hpp>

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace voxflow::testing {

class CohortKillTest : public CohortTest {
 protected:
  // `count` noise-free subjects sub-01.. of (`columns` + s) x 16 x 4 voxels and their cohort file; returns
  // it.
  std::string simulate_subjects(int count, int columns = 24) {
    return simulate_subjects_of(count, [&](int s) { return std::array<int, 3>{columns + s, 16, 4}; });
  }

  // The ledger's rows now (none while it does not exist yet); read only whole files, as it is atomic.
  std::vector<LedgerRow> ledger_now() const {
    if (!std::filesystem::exists(dir_ / "out" / "cohort_status.tsv")) return {};
    return ledger();
  }
  static std::size_t count_status(std::vector<LedgerRow> const& rows, std::string const& status) {
    std::size_t n = 0;
    for (auto const& r : rows) n += r.at("status") == status;
    return n;
  }

  // Polls the ledger every millisecond until `ready` holds (true) or 120 s pass (false).
  bool wait_for_ledger(std::function<bool(std::vector<LedgerRow> const&)> const& ready) const {
    auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < until) {
      if (ready(ledger_now())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  // Processes whose environment holds `marker` (and, when rank >= 0, OMPI_COMM_WORLD_RANK=<rank>).
  static std::vector<pid_t> processes_with(std::string const& marker, int rank = -1) {
    std::vector<pid_t> found;
    for (auto const& e : std::filesystem::directory_iterator("/proc")) {
      std::string const name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(e.path() / "environ", std::ios::binary);
      std::set<std::string> vars;
      for (std::string var; std::getline(in, var, '\0');) vars.insert(var);
      if (!vars.count(marker)) continue;
      if (rank >= 0 && !vars.count("OMPI_COMM_WORLD_RANK=" + std::to_string(rank))) continue;
      found.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return found;
  }

  // Every final-named NIfTI under out/ reads whole: a kill never leaves half a file under a final name.
  void expect_nothing_half_written() const {
    int checked = 0;
    for (auto const& e : std::filesystem::recursive_directory_iterator(dir_ / "out")) {
      std::string const path = e.path().string();
      if (!e.is_regular_file() || !io::ends_with(path, ".nii.gz")) continue;
      EXPECT_NO_THROW(io::read_nifti(path)) << path;
      ++checked;
    }
    std::printf("checked %d final-named maps after the kill\n", checked);
  }

  // Every map of the uninterrupted run in `reference`, byte for byte in out/, and no map more.
  void expect_maps_of(std::string const& reference) const {
    std::set<std::string> ours, theirs;
    for (auto const& [root, names] :
         {std::pair<std::string, std::set<std::string>*>{"out", &ours}, {reference, &theirs}})
      for (auto const& e : std::filesystem::recursive_directory_iterator(dir_ / root))
        if (io::ends_with(e.path().string(), ".nii.gz"))
          names->insert(std::filesystem::relative(e.path(), dir_ / root).string());
    EXPECT_EQ(ours, theirs);
    for (auto const& name : theirs)
      EXPECT_EQ(read_file(dir_ / "out" / name), read_file(dir_ / reference / name)) << name;
    EXPECT_GE(theirs.size(), 3u);
  }
};

}  // namespace voxflow::testing

#endif
