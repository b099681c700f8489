// "The same shape works for every modality": for each registered modality, two subjects written by
// `voxflow simulate <modality>` run as one cohort, its configuration the simulator's own with `subject` and
// `inputs` replaced by a `subjects` list, and both come out done.
#include "cohort_contract.hpp"

#include <voxflow/pipeline/modality_registry.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;
using voxflow::testing::read_file;

namespace {

class CohortModalities : public voxflow::testing::CohortTest {
 protected:
  // The simulator's single-subject configuration of `modality` as a cohort of sub-01 and sub-02: the
  // `inputs` block becomes each entry's inputs (in its own folder), every other key is shared, and a shared
  // value naming a file of the simulation (an AIF mask, a list of delays) points at sub-01's copy.
  std::string cohort_of(std::string const& modality) {
    for (std::string id : {"sub-01", "sub-02"})
      EXPECT_EQ(voxflow({"simulate", modality, "--out", (dir_ / id).string()}, "simulate-" + id), 0)
          << err("simulate-" + id);
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
      if (colon != std::string::npos && fs::is_regular_file(dir_ / "sub-01" / line.substr(colon + 2)))
        line = line.substr(0, colon + 2) + "sub-01/" + line.substr(colon + 2);
      shared += line + "\n";
    }
    std::string text = shared + "subjects:\n";
    for (std::string id : {"sub-01", "sub-02"}) {
      std::string own = inputs;
      for (std::size_t at; (at = own.find('@')) != std::string::npos;) own.replace(at, 1, id);
      text += "  - id: " + id + "\n    inputs: {" + own + "}\n";
    }
    auto const path = (dir_ / "cohort.yaml").string();
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(CohortModalities, EveryModalityRunsAsACohortOfTheSameShape) {
  for (auto const* modality : voxflow::pipeline::modalities()) {
    std::string const name = modality->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto const cohort = cohort_of(name);
    ASSERT_EQ(voxflow({"run", "--quiet", cohort}), 0) << name << "\n" << read_file(cohort) << err();
    auto const rows = ledger();
    ASSERT_EQ(rows.size(), 2u) << name;
    for (auto const& row : rows) EXPECT_EQ(row.at("status"), "done") << name << " " << row.at("message");
    EXPECT_TRUE(fs::is_directory(dir_ / "out" / "sub-01")) << name;
    EXPECT_TRUE(fs::is_directory(dir_ / "out" / "sub-02")) << name;
  }
}

}  // namespace
