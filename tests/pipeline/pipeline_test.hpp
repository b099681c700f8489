// What the pipeline tests share: a fresh folder per test, the DCE simulator writing a subject into it, and
// the simulated grid as a DICOM series.
#ifndef VOXFLOW_TESTS_PIPELINE_PIPELINE_TEST_HPP
#define VOXFLOW_TESTS_PIPELINE_PIPELINE_TEST_HPP

#include "pipeline/dce/dce_simulation.hpp"
#include "synthetic_dicom.hpp"

#include <voxflow/pipeline/run_subject.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace voxflow::testing {

inline std::string read_file(std::filesystem::path const& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto const* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / ("voxflow-" + std::string(info->test_suite_name()) + "-" +
                                                     std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A simulated DCE subject in the test's folder, 10 x 8 x 2 voxels unless `sim` chooses a matrix; returns
  // its configuration file.
  std::string simulate(pipeline::dce_run::DceSimulation sim = {}) const {
    sim.out_dir = dir_.string();
    if (sim.matrix == pipeline::dce_run::DceSimulation{}.matrix) sim.matrix = {10, 8, 2};
    return pipeline::dce_run::simulate_dce(sim);
  }

  // Runs a configuration quietly, with `overrides` as the command line would give them.
  static pipeline::SubjectReport run(std::string const& config, pipeline::Overrides const& overrides = {},
                                     bool resume = false) {
    pipeline::RunOptions options;
    options.quiet = true;
    options.resume = resume;
    return pipeline::run_subject(config, overrides, options);
  }

  // The one file under `folder` (default: the test's out/) whose name ends in `ending`; a test failure (and
  // "") when there is none or several.
  std::string output_ending(std::string const& ending, std::string const& folder = "out") const {
    std::vector<std::string> found;
    for (auto const& e : std::filesystem::recursive_directory_iterator(dir_ / folder)) {
      std::string const name = e.path().filename().string();
      if (name.size() >= ending.size() &&
          name.compare(name.size() - ending.size(), ending.size(), ending) == 0)
        found.push_back(e.path().string());
    }
    EXPECT_EQ(found.size(), 1u) << ending;
    return found.empty() ? "" : found.front();
  }

  std::filesystem::path dir_;
};

// A noise-free SPGR signal subject fitted with Tofts, with five clean baseline frames before the bolus: what
// the tests of signal inputs (NIfTI, DICOM, BIDS) convert and fit.
inline pipeline::dce_run::DceSimulation clean_signal_simulation() {
  pipeline::dce_run::DceSimulation sim;
  sim.noise = 0.0;
  sim.input = "signal";
  sim.bolus_delay_s = 20.0;
  sim.model = dce::DceModel::tofts;
  return sim;
}

// A DICOM series on the simulator's grid: LPS row/column directions (-1,0,0) and (0,-1,0) give RAS voxel axes
// +x and +y, matching the simulator's 2 x 2 x 3 mm geometry with its origin at voxel 0; one volume per frame.
inline io::SyntheticDicomSpec simulator_grid_dicom(pipeline::dce_run::DceSimulation const& sim) {
  io::SyntheticDicomSpec spec;
  spec.columns = sim.matrix[0];
  spec.rows = sim.matrix[1];
  spec.slices = sim.matrix[2];
  spec.time_points = sim.frames;
  spec.orientation = {-1, 0, 0, 0, -1, 0};
  spec.pixel_spacing = {2.0, 2.0};
  spec.slice_spacing = 3.0;
  spec.first_position = {0.0, 0.0, 0.0};
  for (int t = 0; t < sim.frames; ++t) spec.frame_times_s.push_back(t * sim.frame_s);
  spec.flip_angle_deg = sim.flip_angle_deg;
  spec.repetition_time_ms = sim.tr_s * 1000.0;
  return spec;
}

}  // namespace voxflow::testing

#endif
