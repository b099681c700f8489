// The OSIPI TF2.4 IVIM reference cases (reference README §7) through run_ivim_reference_file on every
// execution space: every visible row passes for each of the three methods, with the file's tolerances and
// the conditional checks (D where f < 0.8, D* where f > 0.03).
#include "backend_of.hpp"
#include "execution_spaces.hpp"
#include "reference_data.hpp"

#include <voxflow/conformance/ivim_conformance.hpp>
#include <voxflow/conformance/report.hpp>
#include <voxflow/conformance/suite.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace ivim = voxflow::ivim;
using voxflow::conformance::CaseResult;

char const* const ivim_files[] = {"ivim/generic.csv", "ivim/generic_one.csv", "ivim/generic_two.csv",
                                  "ivim/generic_brain.csv", "ivim/generic_DL.csv"};

std::string describe(CaseResult const& c) {
  std::string s = c.label + ": " + c.error;
  for (auto const& k : c.checks)
    s += " " + k.name + " ref " + std::to_string(k.reference) + " measured " + std::to_string(k.measured);
  return s;
}

template <class ExecutionSpace>
class IvimConformance : public ::testing::Test {};
TYPED_TEST_SUITE(IvimConformance, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(IvimConformance, EveryMethodPassesEveryVisibleRow) {
  auto const tolerances =
      voxflow::conformance::Tolerances::load(voxflow::testing::reference_dir() + "/tolerances.json");
  for (char const* file : ivim_files) {
    voxflow::conformance::RunContext const ctx{voxflow::testing::reference_file(file), file, &tolerances,
                                               voxflow::testing::backend_of<TypeParam>()};
    auto const report = ivim::run_ivim_reference_file(ctx);
    auto const methods = ivim::methods_for(file);
    EXPECT_GE(report.cases.size(), methods.size()) << file;  // at least one row per method
    EXPECT_EQ(report.cases.size() % methods.size(), 0u) << file;
    for (auto const& c : report.cases) EXPECT_TRUE(c.pass()) << file << " " << describe(c);
  }
}

TEST(IvimConformanceMethods, TheSuiteRunsTheGenericFilesOnly) {
  EXPECT_NE(voxflow::conformance::runner_for("ivim/generic_one.csv"), nullptr);
  EXPECT_NE(voxflow::conformance::runner_for("ivim/generic_DL.csv"), nullptr);
  // Population statistics of 300 noise draws per algorithm: not cases a single fit can be checked against.
  EXPECT_EQ(voxflow::conformance::runner_for("ivim/reference_output.csv"), nullptr);
}

TEST(IvimConformanceMethods, TheDeepLearningTolerancesApplyToTheBayesianMethodOnly) {
  EXPECT_EQ(ivim::methods_for("ivim/generic_DL.csv"),
            std::vector<ivim::IvimMethod>{ivim::IvimMethod::bayesian});
  EXPECT_EQ(ivim::methods_for("ivim/generic_one.csv").size(), 3u);
}

TYPED_TEST(IvimConformance, ChecksFollowTheConditionsAndTheFilesTolerances) {
  auto const tolerances =
      voxflow::conformance::Tolerances::load(voxflow::testing::reference_dir() + "/tolerances.json");
  for (char const* file : {"ivim/generic_one.csv", "ivim/generic_DL.csv"}) {
    voxflow::conformance::RunContext const ctx{voxflow::testing::reference_file(file), file, &tolerances,
                                               voxflow::testing::backend_of<TypeParam>()};
    auto const report =
        ivim::run_ivim_reference_file(ctx, std::vector<ivim::IvimMethod>{ivim::IvimMethod::segmented});
    bool dl = std::string(file).find("DL") != std::string::npos;
    for (auto const& c : report.cases) {
      ASSERT_FALSE(c.checks.empty()) << c.label;
      EXPECT_EQ(c.label.rfind("segmented: ", 0), 0u) << c.label;
      for (auto const& k : c.checks) {
        if (k.name == "f") {
          EXPECT_EQ(k.tolerance.rtol, dl ? 0.2 : 0.1) << c.label;
        }
        if (k.name == "D") {
          EXPECT_EQ(k.tolerance.atol, dl ? 8e-4 : 5e-4) << c.label;
        }
      }
      // f is always checked; D only below f = 0.8, D* only above f = 0.03.
      double const f_ref = c.checks.front().reference;
      EXPECT_EQ(c.checks.front().name, "f");
      bool has_d = false, has_dstar = false;
      for (auto const& k : c.checks) {
        has_d = has_d || k.name == "D";
        has_dstar = has_dstar || k.name == "Dp";
      }
      EXPECT_EQ(has_d, f_ref < 0.8) << c.label;
      EXPECT_EQ(has_dstar, f_ref > 0.03) << c.label;
    }
  }
}

// A synthetic file whose rows are clean bi-exponential curves on an unusual protocol: the runner reads it in
// the TF2.4 layout and every method recovers the truth far inside the tolerances.
TYPED_TEST(IvimConformance, ASyntheticFileInTheSameLayoutPasses) {
  auto const dir =
      std::filesystem::temp_directory_path() / ("voxflow-ivim-conformance-" + std::string(TypeParam::name()));
  std::filesystem::create_directories(dir);
  std::ofstream csv(dir / "synthetic.csv");
  csv.precision(17);
  csv << "case,noise,D,f,Dp,bvalues,signal\n";
  double const b[] = {0, 15, 40, 80, 150, 300, 500};
  double const truths[][3] = {{0.0011, 0.12, 0.03}, {0.002, 0.4, 0.08}, {0.0008, 0.05, 0.015}};
  for (auto const& t : truths) {
    csv << "tissue," << 0.0 << "," << t[0] << "," << t[1] << "," << t[2] << ",";
    for (double bj : b) csv << bj << (bj == 500 ? "," : " ");
    for (double bj : b)
      csv << (t[1] * std::exp(-bj * t[2]) + (1 - t[1]) * std::exp(-bj * t[0])) << (bj == 500 ? "\n" : " ");
  }
  csv.close();
  voxflow::conformance::RunContext const ctx{(dir / "synthetic.csv").string(), "ivim/synthetic.csv", nullptr,
                                             voxflow::testing::backend_of<TypeParam>()};
  auto const report = ivim::run_ivim_reference_file(ctx);
  EXPECT_EQ(report.cases.size(), 9u);
  for (auto const& c : report.cases) {
    EXPECT_TRUE(c.pass()) << describe(c);
    // Full and Bayesian are exact on clean curves; segmented carries the bias of D taken above b = 200.
    if (c.label.rfind("segmented", 0) == 0) continue;
    for (auto const& k : c.checks) EXPECT_NEAR(k.measured, k.reference, 1e-6) << c.label;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
