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

using CohortModalities = voxflow::testing::CohortTest;

TEST_F(CohortModalities, EveryModalityRunsAsACohortOfTheSameShape) {
  for (auto const* modality : voxflow::pipeline::modalities()) {
    std::string const name = modality->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto const cohort = simulated_cohort_of(name);
    ASSERT_EQ(voxflow({"run", "--quiet", cohort}), 0) << name << "\n" << read_file(cohort) << err();
    auto const rows = ledger();
    ASSERT_EQ(rows.size(), 2u) << name;
    for (auto const& row : rows) EXPECT_EQ(row.at("status"), "done") << name << " " << row.at("message");
    EXPECT_TRUE(fs::is_directory(dir_ / "out" / "sub-01")) << name;
    EXPECT_TRUE(fs::is_directory(dir_ / "out" / "sub-02")) << name;
  }
}

}  // namespace
