// The OSIPI DSC reference cases (reference README §6) through run_dsc_reference_file on every execution
// space: every visible case passes for each method of the sSVD family and for Tikhonov.
#include "backend_of.hpp"
#include "execution_spaces.hpp"
#include "reference_data.hpp"

#include <voxflow/conformance/dsc_conformance.hpp>
#include <voxflow/conformance/report.hpp>

#include <gtest/gtest.h>

namespace {

using voxflow::dsc::DeconvolutionMethod;

template <class ExecutionSpace>
class DscConformance : public ::testing::Test {};
TYPED_TEST_SUITE(DscConformance, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(DscConformance, EveryVisibleCasePassesForEveryMethod) {
  auto const tolerances =
      voxflow::conformance::Tolerances::load(voxflow::testing::reference_dir() + "/tolerances.json");
  char const* const file = "dsc/dsc_data.csv";
  voxflow::conformance::RunContext const ctx{voxflow::testing::reference_file(file), file, &tolerances,
                                             voxflow::testing::backend_of<TypeParam>()};
  for (auto method : {DeconvolutionMethod::ssvd, DeconvolutionMethod::csvd, DeconvolutionMethod::osvd,
                      DeconvolutionMethod::tikhonov}) {
    auto const report = voxflow::dsc::run_dsc_reference_file(ctx, {method});
    EXPECT_GE(report.cases.size(), 10u);
    for (auto const& c : report.cases) {
      EXPECT_TRUE(c.error.empty()) << c.label << ": " << c.error;
      ASSERT_EQ(c.checks.size(), 2u) << c.label;
      EXPECT_EQ(c.checks[0].tolerance.atol, 15.0);  // cbf, from tolerances.json
      for (auto const& k : c.checks)
        EXPECT_TRUE(k.pass) << c.label << " " << k.name << ": measured " << k.measured << ", reference "
                            << k.reference;
    }
  }
}

}  // namespace
