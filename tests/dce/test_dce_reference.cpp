// Every visible DCE reference case (signal to concentration, model fits, forward models) within the authors'
// tolerances, on every execution space, through the runners `voxflow conformance` uses.
#include "backend_of.hpp"
#include "execution_spaces.hpp"
#include "reference_data.hpp"

#include <voxflow/conformance/suite.hpp>
#include <voxflow/conformance/dce_conformance.hpp>

#include <gtest/gtest.h>

#include <filesystem>

namespace {

template <class ExecutionSpace>
void expect_all_cases_pass(std::string const& folder) {
  auto const dir = voxflow::testing::reference_dir();
  auto const tolerances = voxflow::conformance::Tolerances::load(dir + "/tolerances.json");
  int files = 0;
  for (auto const& entry : std::filesystem::directory_iterator(dir + "/" + folder)) {
    if (entry.path().extension() != ".csv") continue;
    std::string const relative = folder + "/" + entry.path().filename().string();
    auto const runner = voxflow::conformance::runner_for(relative);
    ASSERT_NE(runner, nullptr) << relative;
    voxflow::conformance::RunContext const ctx{entry.path().string(), relative, &tolerances,
                                               voxflow::testing::backend_of<ExecutionSpace>()};
    auto const report = runner(ctx);
    ++files;
    EXPECT_GT(report.cases.size(), 0u) << relative;
    for (auto const& c : report.cases) {
      EXPECT_TRUE(c.pass()) << relative << ": " << c.label << " " << c.error;
      for (auto const& k : c.checks)
        if (!k.pass)
          ADD_FAILURE() << relative << ": " << c.label << " " << k.name << " ref " << k.reference << " got "
                        << k.measured;
    }
  }
  EXPECT_GT(files, 0) << folder;
}

template <class ExecutionSpace>
class DceReference : public ::testing::Test {};
TYPED_TEST_SUITE(DceReference, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(DceReference, SignalToConcentration) {
  expect_all_cases_pass<TypeParam>("dce/si2conc");
}
TYPED_TEST(DceReference, ModelFitsWithNoise) {
  expect_all_cases_pass<TypeParam>("dce/models");
}
TYPED_TEST(DceReference, ModelFitsAndForwardChecksNoiseFree) {
  expect_all_cases_pass<TypeParam>("dce/models_noisefree");
}
TYPED_TEST(DceReference, OsipyForwardModels) {
  expect_all_cases_pass<TypeParam>("dce/osipy_forward");
}

}  // namespace
