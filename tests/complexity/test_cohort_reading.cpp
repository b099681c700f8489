// Reading a cohort file is linear in its length. Assigning nodes of the file's own tree into each subject's
// document merged yaml-cpp's record of the whole file into every one: 5,000 subjects took 56 s to read (a
// 500-subject file 0.6 s), where 2.8 s is linear. Counted in allocations, four times the subjects must cost
// about four times the allocations, not sixteen.
#include "allocation_counter.hpp"

#include <voxflow/pipeline/modality_registry.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace voxflow;

namespace {

pipeline::ConfigSchema const& registered(std::string const& modality, std::string const& source) {
  return pipeline::find_modality(modality, source).schema();
}

// The issue 12 contract's shape with `subjects` subjects, each with its own inputs and a fit option of its
// own.
std::string cohort_text(int subjects) {
  std::string text = "modality: dce\nsubjects:\n";
  for (int i = 0; i < subjects; ++i) {
    std::string const id = "s" + std::to_string(10000 + i);
    text += "  - id: " + id + "\n    inputs: {concentration: " + id + "/conc.nii.gz, timing: " + id +
            "/time.txt, mask: " + id +
            "/mask.nii.gz}\n    fit: {max_iterations: " + std::to_string(50 + i % 7) + "}\n";
  }
  return text +
         "aif: {source: population, model: parker}\nfit: {model: extended_tofts}\nbackend: host\n"
         "output: {dir: out}\n";
}

std::uint64_t allocations_reading(int subjects) {
  std::string const text = cohort_text(subjects);
  return test::allocations_of([&] {
    auto const cohort = pipeline::parse_cohort_config(text, "/data/cohort.yaml", {}, registered);
    ASSERT_EQ(cohort.subjects.size(), std::size_t(subjects));
    EXPECT_EQ(cohort.subjects.back().settings().subject, "s" + std::to_string(10000 + subjects - 1));
  });
}

}  // namespace

TEST(CohortReading, AllocationsGrowLinearlyWithTheNumberOfSubjects) {
  std::uint64_t const small = allocations_reading(200), large = allocations_reading(800);
  ASSERT_GT(small, 200u * 10) << "the allocation counter does not see the reader's allocations";
  double const growth = double(large) / double(small);
  EXPECT_LT(growth, 5.0) << small << " allocations for 200 subjects, " << large << " for 800";
}
