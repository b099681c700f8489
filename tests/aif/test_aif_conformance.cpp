// The OSIPI population-AIF reference files through run_aif_reference_file, with the suite's tolerances, on
// the host backends; plus synthetic files in the same format for what the visible rows do not exercise.
#include "aif_test_helpers.hpp"
#include "reference_data.hpp"

#include <voxflow/conformance/aif_conformance.hpp>
#include <voxflow/core/errors.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>

namespace {

using voxflow::conformance::FileReport;
using voxflow::conformance::RunContext;
using voxflow::conformance::Tolerances;

FileReport run_file(std::string const& relative, voxflow::Backend backend, Tolerances const& tolerances) {
  RunContext ctx;
  ctx.path = voxflow::testing::reference_file(relative);
  ctx.relative_path = relative;
  ctx.tolerances = &tolerances;
  ctx.backend = voxflow::resolve_backend(backend);
  return voxflow::conformance::run_aif_reference_file(ctx);
}

std::string describe_failures(FileReport const& report) {
  std::ostringstream out;
  for (auto const& c : report.cases) {
    if (c.pass()) continue;
    out << c.label << ": " << c.error;
    int shown = 0;
    for (auto const& check : c.checks)
      if (!check.pass && shown++ < 3)
        out << " " << check.name << " ref " << check.reference << " got " << check.measured;
    out << "\n";
  }
  return out.str();
}

struct FileExpectation {
  char const* relative;
  std::size_t visible_labels;  // at least these; the full suite has more
  double atol, rtol;           // what tolerances.json says for the file
};

// ctest names show the file rather than the bytes of the parameter.
void PrintTo(FileExpectation const& expectation, std::ostream* out) {
  *out << expectation.relative;
}

class AifReferenceFiles : public ::testing::TestWithParam<FileExpectation> {};

TEST_P(AifReferenceFiles, EveryLabelPasses) {
  auto const expected = GetParam();
  Tolerances const tolerances = Tolerances::load(voxflow::testing::reference_dir() + "/tolerances.json");
  for (voxflow::Backend backend : {voxflow::Backend::serial, voxflow::Backend::host}) {
    FileReport const report = run_file(expected.relative, backend, tolerances);
    EXPECT_EQ(report.relative_path, expected.relative);
    ASSERT_GE(report.cases.size(), expected.visible_labels);
    EXPECT_EQ(report.passed(), static_cast<int>(report.cases.size())) << describe_failures(report);
    for (auto const& c : report.cases) {
      ASSERT_FALSE(c.checks.empty()) << c.label;
      EXPECT_EQ(c.checks.front().name, "Cb[0]");
      EXPECT_EQ(c.checks.front().tolerance.atol, expected.atol);
      EXPECT_EQ(c.checks.front().tolerance.rtol, expected.rtol);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Osipi, AifReferenceFiles,
    ::testing::Values(FileExpectation{"dce/aif/ParkerAIF_ref.csv", 8, 1e-4, 0.01},
                      FileExpectation{"dce/aif/ParkerAIF_ref_with_delay.csv", 6, 0.1, 0.1},
                      FileExpectation{"dce/aif/GeorgiouAIF_ref.csv", 5, 1e-4, 0.01},
                      FileExpectation{"dce/aif/preclinicalAIF_ref.csv", 7, 1e-4, 0.01},
                      FileExpectation{"dce/aif/preclinicalAIF_ref_delay.csv", 5, 1e-4, 0.01}),
    [](auto const& param_info) {
      std::string name = std::filesystem::path(param_info.param.relative).stem().string();
      for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return name;
    });

TEST(AifReferenceFile, ParameterTableHasNoCases) {
  FileReport const report = run_file("dce/aif/ParkerAIF.csv", voxflow::Backend::host, Tolerances{});
  EXPECT_EQ(report.relative_path, "dce/aif/ParkerAIF.csv");
  EXPECT_TRUE(report.cases.empty());
}

// A scratch file in the system temp folder, removed at the end of the test.
class ScratchFile {
 public:
  ScratchFile(std::string const& name, std::string const& text)
      : path_((std::filesystem::temp_directory_path() /
               ("voxflow_aif_test_" + std::to_string(::getpid()) + "_" + name))
                  .string()) {
    std::ofstream(path_) << text;
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  std::string const& path() const { return path_; }

 private:
  std::string path_;
};

RunContext scratch_context(ScratchFile const& file, std::string const& relative) {
  RunContext ctx;
  ctx.path = file.path();
  ctx.relative_path = relative;
  ctx.backend = voxflow::Backend::host;
  return ctx;
}

// Labels the visible rows do not have (a delay of 3.7 s, a non-uniform grid, minutes as the time unit), built
// here from the independent Parker formula: the runner must handle them with no knowledge of the labels.
TEST(AifReferenceFile, UnseenParkerLabelsWithDelaysPass) {
  std::ostringstream csv;
  csv.precision(17);
  csv << "label,time,Cb,delay\n";
  std::pair<char const*, double> const labels[] = {
      {"delay_0s", 0.0}, {"delay_3.7s", 3.7}, {"delay_22.25s", 22.25}};
  for (auto const& [label, delay] : labels) {
    double t_min = 0.0;
    for (int i = 0; i < 90; ++i) {
      double const t_s = t_min * 60.0;
      double const cb = t_s >= delay ? voxflow::testing::parker_reference(t_s - delay) : 0.0;
      csv << label << "," << t_min << "," << cb << "," << delay << "\n";
      t_min += (i % 3 == 0) ? 0.031 : 0.047;
    }
  }
  ScratchFile const file("ParkerAIF_hidden.csv", csv.str());
  FileReport const report =
      voxflow::conformance::run_aif_reference_file(scratch_context(file, "dce/aif/ParkerAIF_hidden.csv"));
  ASSERT_EQ(report.cases.size(), 3u);
  EXPECT_EQ(report.passed(), 3) << describe_failures(report);
  EXPECT_EQ(report.cases[1].label, "delay_3.7s");
}

TEST(AifReferenceFile, ACaseThatCannotRunIsReportedNotThrown) {
  ScratchFile const file("preclinicalAIF_bad.csv",
                         "label,time,Cb\nok,0,0\nok,1,0.744285714285714\nbad,2,0\nbad,1,0\n");
  FileReport const report =
      voxflow::conformance::run_aif_reference_file(scratch_context(file, "preclinicalAIF_bad.csv"));
  ASSERT_EQ(report.cases.size(), 2u);
  EXPECT_TRUE(report.cases[0].pass()) << report.cases[0].error;
  EXPECT_FALSE(report.cases[1].pass());
  EXPECT_NE(report.cases[1].error.find("times_s"), std::string::npos) << report.cases[1].error;
}

TEST(AifReferenceFile, AFileNamingNoKnownAifIsAnInputError) {
  ScratchFile const file("OrtonAIF_ref.csv", "label,time,Cb\na,0,0\n");
  EXPECT_THROW(
      voxflow::conformance::run_aif_reference_file(scratch_context(file, "dce/aif/OrtonAIF_ref.csv")),
      voxflow::InputError);
}

}  // namespace
