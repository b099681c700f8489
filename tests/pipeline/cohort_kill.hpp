// What the kill -9 cohort tests share (test_cohort_kill.cpp): a cohort of several simulated subjects large
// enough that a run can be caught in the middle, the ledger watched while it runs, the processes of one
// job found by a marker in their environment, and the checks after a kill or another fault: no final-named
// file is half-written, and --resume gives the maps (or every file) of an uninterrupted run byte for byte,
// with no temporary left.
#ifndef VOXFLOW_TESTS_PIPELINE_COHORT_KILL_HPP
#define VOXFLOW_TESTS_PIPELINE_COHORT_KILL_HPP

#include "cohort_contract.hpp"

#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/run_record.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
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
    std::printf("checked %d final-named maps after the kill\n",
                expect_nothing_complete_looking(dir_ / "out"));
  }

  // Below the output folder `out` (absent counts as empty): every final-named NIfTI reads whole, every JSON
  // file parses, no file is empty, and a run record exists only where every file it lists is intact. Returns
  // the number of maps read.
  static int expect_nothing_complete_looking(std::filesystem::path const& out) {
    int maps = 0;
    if (!std::filesystem::exists(out)) return maps;
    for (auto const& e : std::filesystem::recursive_directory_iterator(out)) {
      std::string const path = e.path().string();
      if (!e.is_regular_file() || path.find(".partial-") != std::string::npos) continue;
      if (io::ends_with(path, ".lock")) continue;  // empty until its holder writes its pid
      EXPECT_GT(e.file_size(), 0u) << path;
      if (io::ends_with(path, ".nii.gz")) {
        EXPECT_NO_THROW(io::read_nifti(path)) << path;
        ++maps;
      }
      if (io::ends_with(path, ".json")) {
        std::ifstream in(path);
        EXPECT_TRUE(nlohmann::json::accept(in)) << path;
      }
      if (io::ends_with(path, "_run.json")) {
        auto const state = pipeline::check_run_record(path, out.string());
        EXPECT_TRUE(state.complete) << path << ": " << state.problem;
      }
    }
    return maps;
  }

  // No temporary (".partial-") and no lock file anywhere below `out`: what a finished run leaves. (The
  // ledger's lock stays by design: every process locks the same inode.)
  static void expect_no_temporaries(std::filesystem::path const& out) {
    for (auto const& e : std::filesystem::recursive_directory_iterator(out)) {
      std::string const name = e.path().filename().string();
      EXPECT_EQ(name.find(".partial-"), std::string::npos) << e.path();
      EXPECT_TRUE(!io::ends_with(name, ".lock") || name == "cohort_status.tsv.lock") << e.path();
    }
  }

  // Every file below `out` by its relative path, with what may differ between two runs of the same inputs
  // left out: the run record's timings and the ledger (its seconds, and "skipped" for a resumed subject).
  static std::map<std::string, std::string> outputs_of(std::filesystem::path const& out) {
    std::map<std::string, std::string> files;
    for (auto const& e : std::filesystem::recursive_directory_iterator(out)) {
      if (!e.is_regular_file() || e.path().filename() == "cohort_status.tsv") continue;
      std::string bytes = read_file(e.path());
      if (io::ends_with(e.path().string(), "_run.json")) {
        auto record = nlohmann::json::parse(bytes);
        record.erase("StageSeconds");
        record.erase("TotalSeconds");
        bytes = record.dump(2);
      }
      files[std::filesystem::relative(e.path(), out).string()] = bytes;
    }
    return files;
  }

  // The files below `out` are those below `reference`, byte for byte (outputs_of), and none is a temporary.
  static void expect_outputs_of(std::filesystem::path const& reference, std::filesystem::path const& out) {
    auto const ours = outputs_of(out), theirs = outputs_of(reference);
    std::set<std::string> our_names, their_names;
    for (auto const& file : ours) our_names.insert(file.first);
    for (auto const& file : theirs) their_names.insert(file.first);
    EXPECT_EQ(our_names, their_names);
    for (auto const& [name, bytes] : theirs) {
      if (ours.count(name)) {
        EXPECT_TRUE(ours.at(name) == bytes) << name << " differs from the reference";
      }
    }
    expect_no_temporaries(out);
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
