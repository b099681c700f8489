// The output folder of every modality is a BIDS derivative dataset that the official schema-based validator
// (scripts/bids-validator.sh) accepts with zero errors; without the .bidsignore it reports nothing but "not
// part of BIDS" (NOT_INCLUDED), for exactly the files the .bidsignore lists: the ones BIDS has no name for.
#include "pipeline_test.hpp"

#include <voxflow/pipeline/modality_registry.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace fs = std::filesystem;
using namespace voxflow;

namespace {

class BidsDerivatives : public voxflow::testing::PipelineTest,
                        public ::testing::WithParamInterface<std::string> {
 protected:
  // The validator's errors for `dataset`: location (dataset-relative, "/sub-01/...") -> code. An empty
  // optional when the validator could not run at all.
  std::optional<std::multimap<std::string, std::string>> validator_errors(fs::path const& dataset) const {
    fs::path const report = dir_ / "validator.json";
    std::string const command = std::string("'") + VOXFLOW_BIDS_VALIDATOR + "' '" + dataset.string() +
                                "' --json > '" + report.string() + "' 2> '" +
                                (dir_ / "validator.err").string() + "'";
    int const status = std::system(command.c_str());
    nlohmann::json doc;
    try {
      std::ifstream(report) >> doc;
    } catch (nlohmann::json::exception const&) {
      ADD_FAILURE() << command << " exited " << status << ": "
                    << voxflow::testing::read_file(dir_ / "validator.err");
      return std::nullopt;
    }
    std::multimap<std::string, std::string> errors;
    for (auto const& issue : doc["issues"]["issues"])
      if (issue.value("severity", "") == "error")
        errors.emplace(issue.value("location", "(dataset)"),
                       issue.value("code", "") + " " + issue.value("subCode", ""));
    return errors;
  }

  // A subject simulated and run with the modality's simulation defaults; returns the output dataset.
  fs::path simulated_run(pipeline::Modality const& modality) const {
    std::map<std::string, std::string> options;
    for (auto const& option : modality.simulation_options()) options[option.name] = option.default_value;
    if (modality.name() == "dce") options["input"] = "vfa";  // with the T1 and M0 maps BIDS names in anat/
    auto const simulated = modality.simulate((dir_ / "subject").string(), options);
    pipeline::Overrides overrides;
    overrides.output_dir = (dir_ / "derivatives").string();
    auto const report = run(simulated.config_path, overrides);
    EXPECT_GT(report.usable, 0);
    return dir_ / "derivatives";
  }
};

bool matches_pattern(std::string const& name, std::string const& pattern) {
  // voxflow writes only "*_<suffix><extension>" patterns.
  std::string const tail = pattern.substr(1);
  return pattern.rfind("*_", 0) == 0 && name.size() >= tail.size() &&
         name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
}

TEST_P(BidsDerivatives, TheValidatorFindsNoErrorAndOnlyFilesBidsHasNoNameForAreIgnored) {
  if (std::getenv("VOXFLOW_SKIP_BIDS_VALIDATOR") != nullptr)
    GTEST_SKIP() << "VOXFLOW_SKIP_BIDS_VALIDATOR is set";
  pipeline::Modality const& modality = pipeline::find_modality(GetParam());
  fs::path const dataset = simulated_run(modality);

  auto const errors = validator_errors(dataset);
  ASSERT_TRUE(errors);
  for (auto const& [location, code] : *errors) ADD_FAILURE() << location << ": " << code;

  // Without the .bidsignore: "not part of BIDS" for exactly the files its patterns match.
  std::set<std::string> patterns;
  {
    std::ifstream in(dataset / ".bidsignore");
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) patterns.insert(line);
  }
  ASSERT_FALSE(patterns.empty());
  std::set<std::string> ignored;
  for (auto const& e : fs::recursive_directory_iterator(dataset)) {
    if (!e.is_regular_file() || e.path().filename().string().front() == '.') continue;
    for (auto const& p : patterns)
      if (matches_pattern(e.path().filename().string(), p))
        ignored.insert("/" + fs::relative(e.path(), dataset).generic_string());
  }
  fs::rename(dataset / ".bidsignore", dir_ / "bidsignore");
  auto const unignored = validator_errors(dataset);
  ASSERT_TRUE(unignored);
  std::set<std::string> not_included;
  for (auto const& [location, code] : *unignored) {
    EXPECT_EQ(code.substr(0, 12), "NOT_INCLUDED") << location << ": " << code;
    not_included.insert(location);
  }
  EXPECT_EQ(not_included, ignored);
  // Sidecars name their sources relative to the dataset, never by an absolute path of this machine.
  for (auto const& e : fs::recursive_directory_iterator(dataset)) {
    if (e.path().extension() != ".json") continue;
    nlohmann::json sidecar;
    std::ifstream(e.path()) >> sidecar;
    for (auto const& source : sidecar.value("Sources", nlohmann::json::array()))
      EXPECT_NE(source.get<std::string>().front(), '/') << e.path();
  }
  // Files BIDS names are not hidden: the status segmentation in anat/ is among the validated ones.
  bool segmentation = false;
  for (auto const& e : fs::recursive_directory_iterator(dataset))
    segmentation |= e.path().filename().string().find("fitstatus_dseg.nii") != std::string::npos &&
                    e.path().parent_path().filename() == "anat";
  EXPECT_TRUE(segmentation);
}

std::vector<std::string> modality_names() {
  std::vector<std::string> names;
  for (auto const* m : pipeline::modalities()) names.push_back(m->name());
  return names;
}

INSTANTIATE_TEST_SUITE_P(EveryModality, BidsDerivatives, ::testing::ValuesIn(modality_names()),
                         [](auto const& test) { return test.param; });

}  // namespace
