// What the cohort tests share: the cohort contract of issue 12 (accepted exactly as written), two simulated
// DCE subjects laid out as it names them, the voxflow executable run on it, and its ledger read back.
#ifndef VOXFLOW_TESTS_PIPELINE_COHORT_CONTRACT_HPP
#define VOXFLOW_TESTS_PIPELINE_COHORT_CONTRACT_HPP

#include "child_process.hpp"
#include "pipeline_test.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace voxflow::testing {

inline constexpr char const* cohort_contract_yaml = R"(modality: dce
subjects:
  - id: sub-01
    inputs: {concentration: sub-01/conc.nii.gz, timing: sub-01/time.txt, mask: sub-01/mask.nii.gz}
  - id: sub-02
    inputs: {concentration: sub-02/conc.nii.gz, timing: sub-02/time.txt, mask: sub-02/mask.nii.gz}
aif: {source: population, model: parker}
fit: {model: extended_tofts}
backend: host
output: {dir: out}
)";

// One ledger row, by column name.
using LedgerRow = std::map<std::string, std::string>;

class CohortTest : public PipelineTest {
 protected:
  // Two noise-free subjects of different grids (so a map shows whose inputs it came from) and the contract
  // file beside them; returns the cohort file.
  std::string simulate_cohort() {
    for (auto const& [id, columns] : {std::pair<std::string, int>{"sub-01", 10}, {"sub-02", 12}}) {
      pipeline::dce_run::DceSimulation sim;
      sim.out_dir = (dir_ / id).string();
      sim.matrix = {columns, 8, 2};
      sim.noise = 0.0;
      pipeline::dce_run::simulate_dce(sim);
    }
    auto const path = (dir_ / "cohort.yaml").string();
    std::ofstream(path) << cohort_contract_yaml;
    return path;
  }

  // `count` noise-free subjects sub-01.. (sub-0<s>, so at most 9), subject s of grid `matrix(s)` and seed s,
  // and a cohort file listing them with the contract's other keys; returns the cohort file.
  template <class Matrix>
  std::string simulate_subjects_of(int count, Matrix matrix) {
    std::string yaml = "modality: dce\nsubjects:\n";
    for (int s = 1; s <= count; ++s) {
      std::string const id = "sub-0" + std::to_string(s);
      pipeline::dce_run::DceSimulation sim;
      sim.out_dir = (dir_ / id).string();
      sim.matrix = matrix(s);
      sim.noise = 0.0;
      sim.seed = static_cast<unsigned>(s);
      pipeline::dce_run::simulate_dce(sim);
      yaml += "  - id: " + id + "\n    inputs: {concentration: " + id + "/conc.nii.gz, timing: " + id +
              "/time.txt, mask: " + id + "/mask.nii.gz}\n";
    }
    yaml +=
        "aif: {source: population, model: parker}\nfit: {model: extended_tofts}\nbackend: host\n"
        "output: {dir: out}\n";
    return write("cohort.yaml", yaml);
  }

  // Two subjects written by `voxflow simulate <modality> <options>` as one cohort: the simulator's
  // single-subject configuration with its `inputs` block moved into each entry (in the subject's own folder),
  // every other key shared (a shared value naming a file of the simulation, an AIF mask or a list of delays,
  // points at sub-01's copy), `edits` (text -> replacement) applied to the shared keys, `entry` added to
  // sub-01's entry and `tail` to the end. Returns the cohort file.
  std::string simulated_cohort_of(std::string const& modality, std::vector<std::string> const& options = {},
                                  std::map<std::string, std::string> const& edits = {},
                                  std::string const& entry = "", std::string const& tail = "") {
    for (std::string id : {"sub-01", "sub-02"}) {
      std::vector<std::string> args{"simulate", modality, "--out", (dir_ / id).string()};
      args.insert(args.end(), options.begin(), options.end());
      EXPECT_EQ(voxflow(args, "simulate-" + id), 0) << err("simulate-" + id);
    }
    std::istringstream in(read_file(dir_ / "sub-01" / "config.yaml"));
    std::string line, shared, inputs;
    bool in_inputs = false;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#' || line.rfind("subject:", 0) == 0) continue;
      if (line == "inputs:") {
        in_inputs = true;
        continue;
      }
      if (in_inputs && line.rfind("  ", 0) == 0) {
        auto const colon = line.find(": ");
        inputs += (inputs.empty() ? "" : ", ") + line.substr(2, colon - 2) + ": @/" + line.substr(colon + 2);
        continue;
      }
      in_inputs = false;
      auto const colon = line.find(": ");
      if (colon != std::string::npos &&
          std::filesystem::is_regular_file(dir_ / "sub-01" / line.substr(colon + 2)))
        line = line.substr(0, colon + 2) + "sub-01/" + line.substr(colon + 2);
      shared += line + "\n";
    }
    for (auto const& [from, to] : edits) {
      auto const at = shared.find(from);
      EXPECT_NE(at, std::string::npos) << from << " in\n" << shared;
      if (at != std::string::npos) shared.replace(at, from.size(), to);
    }
    std::string text = shared + "subjects:\n";
    for (std::string id : {"sub-01", "sub-02"}) {
      std::string own = inputs;
      for (std::size_t at; (at = own.find('@')) != std::string::npos;) own.replace(at, 1, id);
      text += "  - id: " + id + "\n    inputs: {" + own + "}\n";
      if (id == "sub-01" && !entry.empty()) text += "    " + entry + "\n";
    }
    return write("cohort.yaml", text + tail);
  }

  // Runs `program args` to the end; returns the exit code a shell reports. Its output goes to <tag>.out/.err.
  int run_program(std::string const& program, std::vector<std::string> const& args, std::string const& tag) {
    ChildProcess child(program, args, (dir_ / (tag + ".err")).string(), (dir_ / (tag + ".out")).string());
    return exit_code_of(child.wait());
  }
  int voxflow(std::vector<std::string> const& args, std::string const& tag = "run") {
    return run_program(VOXFLOW_CLI, args, tag);
  }
  // voxflow under `mpiexec -np 2` (as root in CI, hence --allow-run-as-root --oversubscribe); -1 when the
  // build found no mpiexec (the MPI tests skip then: CohortMpiTest).
  int mpiexec(std::vector<std::string> const& voxflow_args, std::string const& tag) {
#if defined(VOXFLOW_MPIEXEC)
    std::vector<std::string> args{"--allow-run-as-root", "--oversubscribe", "-np", "2", VOXFLOW_CLI};
    args.insert(args.end(), voxflow_args.begin(), voxflow_args.end());
    return run_program(VOXFLOW_MPIEXEC, args, tag);
#else
    (void)voxflow_args;
    (void)tag;
    return -1;
#endif
  }
  std::string err(std::string const& tag = "run") const {
    return read_file(dir_ / (tag + ".err"));
  }

  // Writes `text` to <dir>/<name>; returns the path.
  std::string write(std::string const& name, std::string const& text) const {
    auto const path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // The error message read_cohort_config gives for `text`, which must be a configuration error.
  std::string error_of(std::string const& text, pipeline::Overrides const& overrides = {}) const {
    try {
      pipeline::read_cohort_config(write("bad.yaml", text), overrides);
    } catch (Error const& e) {
      EXPECT_EQ(e.code(), ExitCode::config) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return "";
  }

  // The ledger's rows in file order; a header other than the issue's fails the test.
  std::vector<LedgerRow> ledger(std::string const& out = "out") const {
    std::istringstream in(read_file(dir_ / out / "cohort_status.tsv"));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "subject\tstatus\trank\thost\tseconds\tvoxels\tmessage");
    std::vector<std::string> const columns{"subject", "status", "rank",   "host",
                                           "seconds", "voxels", "message"};
    std::vector<LedgerRow> rows;
    while (std::getline(in, line)) {
      LedgerRow row;
      std::istringstream fields(line);
      std::string field;
      for (auto const& column : columns) {
        std::getline(fields, field, '\t');
        row[column] = field;
      }
      rows.push_back(row);
    }
    return rows;
  }

  // The subject's Ktrans map as the contract finds it: under out/, the name containing the subject id and
  // "Ktrans", ending in .nii.gz; exactly one.
  std::filesystem::path ktrans(std::string const& id, std::string const& out = "out") const {
    std::vector<std::filesystem::path> found;
    for (auto const& e : std::filesystem::recursive_directory_iterator(dir_ / out)) {
      std::string const name = e.path().filename().string();
      if (name.find(id) != std::string::npos && name.find("Ktrans") != std::string::npos &&
          io::ends_with(name, ".nii.gz"))
        found.push_back(e.path());
    }
    EXPECT_EQ(found.size(), 1u) << id;
    return found.empty() ? std::filesystem::path() : found.front();
  }
};

// The cohort tests that run under mpiexec: skipped when the build has none.
class CohortMpiTest : public CohortTest {
 protected:
  void SetUp() override {
    CohortTest::SetUp();
#if !defined(VOXFLOW_MPIEXEC)
    GTEST_SKIP() << "no mpiexec was found when this build was configured (or it was built without MPI)";
#endif
  }
};

}  // namespace voxflow::testing

#endif
