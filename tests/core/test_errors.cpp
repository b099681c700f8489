#include <voxflow/core/errors.hpp>

#include <gtest/gtest.h>

#include <set>

TEST(Errors, MessagesNameFileFieldAndExpectation) {
  voxflow::InputError const e("conc.nii.gz", "dim[4]", "80 frames to match time.txt, got 79");
  std::string const m = e.what();
  EXPECT_NE(m.find("conc.nii.gz"), std::string::npos);
  EXPECT_NE(m.find("dim[4]"), std::string::npos);
  EXPECT_NE(m.find("80 frames"), std::string::npos);
  EXPECT_EQ(e.code(), voxflow::ExitCode::input);

  voxflow::ConfigError const c("run.yaml", "fit.model", "one of tofts, extended_tofts");
  EXPECT_NE(std::string(c.what()).find("fit.model"), std::string::npos);
  EXPECT_EQ(c.code(), voxflow::ExitCode::config);
}

TEST(Errors, EveryClassHasItsOwnExitCode) {
  std::set<int> codes{static_cast<int>(voxflow::ConfigError("f", "k", "x").code()),
                      static_cast<int>(voxflow::InputError("f", "k", "x").code()),
                      static_cast<int>(voxflow::OutputError("f", "x").code()),
                      static_cast<int>(voxflow::BackendError("x").code())};
  EXPECT_EQ(codes.size(), 4u);
  EXPECT_EQ(codes.count(0), 0u);
  EXPECT_EQ(codes.count(static_cast<int>(voxflow::ExitCode::usage)), 0u);
}

TEST(Errors, RequireInputThrowsOnlyWhenTheConditionFails) {
  EXPECT_NO_THROW(voxflow::require_input(true, "a", "b", "c"));
  EXPECT_THROW(voxflow::require_input(false, "a", "b", "c"), voxflow::InputError);
}

// An error about no particular file names none (it used to say "<no file>").
TEST(Errors, AnErrorWithoutAFileHasNoPlaceholder) {
  std::string const m = voxflow::InputError("", "--threads", "a whole number").what();
  EXPECT_EQ(m.find("<no file>"), std::string::npos) << m;
  EXPECT_EQ(m, "input error: field '--threads': expected a whole number");
}
