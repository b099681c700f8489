// What a DCE run takes from its inputs: the dynamic series chosen by `inputs.series` among the series of a
// DICOM folder, the excitation TR of a BIDS sidecar (RepetitionTimeExcitation, never the volume TR
// RepetitionTime), and images on the grid of the dynamic series by world position.
#include "pipeline_test.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/run_subject.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace voxflow;
using pipeline::dce_run::DceSimulation;

namespace {

class DceInputs : public voxflow::testing::PipelineTest {
 protected:
  std::string config(std::string const& name, std::string const& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  template <class Error>
  std::string error_of(std::string const& config_file) {
    try {
      run(config_file);
    } catch (Error const& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(DceInputs, InputsSeriesPicksTheDynamicSeriesAmongSeveral) {
  auto sim = voxflow::testing::clean_signal_simulation();
  sim.matrix = {4, 3, 2};
  sim.frames = 30;
  simulate(sim);
  // The dynamic series (number 5) and a one-volume localizer (number 2) in one folder.
  auto const signal = io::read_nifti((dir_ / "signal.nii.gz").string());
  auto dynamic = voxflow::testing::simulator_grid_dicom(sim);
  dynamic.series_number = 5;
  dynamic.series_description = "dce";
  dynamic.rescale_slope = 0.01;
  for (double v : signal.data) dynamic.stored_values.push_back(static_cast<int>(std::lround(v / 0.01)));
  auto localizer = voxflow::testing::simulator_grid_dicom(sim);
  localizer.series_number = 2;
  localizer.series_description = "localizer";
  localizer.time_points = 1;
  localizer.frame_times_s = {0.0};
  localizer.file_prefix = "LOC";
  io::write_synthetic_dicom_series((dir_ / "dicom").string(), dynamic);
  io::write_synthetic_dicom_series((dir_ / "dicom").string(), localizer);
  std::string const base =
      "modality: dce\nsubject: sub-sim\ninputs:\n  signal: dicom\n  t1_map: t1.nii.gz\n"
      "aif:\n  delay_s: 20\nfit:\n  model: tofts\noutput:\n  dir: out\n";
  auto const message = error_of<InputError>(config("none.yaml", base));
  EXPECT_NE(message.find("inputs.series"), std::string::npos) << message;
  EXPECT_NE(message.find("series 2 'localizer'"), std::string::npos) << message;
  EXPECT_NE(message.find("series 5 'dce'"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  std::string by_number = base;
  by_number.replace(by_number.find("  t1_map"), 0, "  series: 5\n");
  auto const report = run(config("number.yaml", by_number));
  EXPECT_EQ(report.usable, report.voxels);
  std::string missing = by_number;
  missing.replace(missing.find("series: 5"), 9, "series: 9");
  missing.replace(missing.find("dir: out"), 8, "dir: elsewhere");
  EXPECT_NE(error_of<InputError>(config("missing.yaml", missing)).find("numbered 9"), std::string::npos);
  // A series choice for a NIfTI input is a mistake in the configuration.
  std::string nifti = missing;
  nifti.replace(nifti.find("signal: dicom"), 13, "signal: signal.nii.gz");
  EXPECT_NE(error_of<ConfigError>(config("nifti.yaml", nifti)).find("inputs.series"), std::string::npos);
}

TEST_F(DceInputs, ABidsSidecarsVolumeTrIsNeverTakenForTheExcitationTr) {
  auto sim = voxflow::testing::clean_signal_simulation();
  simulate(sim);
  fs::create_directories(dir_ / "bids/sub-07/perf");
  fs::copy_file(dir_ / "signal.nii.gz", dir_ / "bids/sub-07/perf/sub-07_dce.nii.gz");
  nlohmann::json sidecar = {{"FlipAngle", sim.flip_angle_deg}, {"RepetitionTime", sim.frame_s}};
  for (int t = 0; t < sim.frames; ++t) sidecar["VolumeTiming"].push_back(t * sim.frame_s);
  std::ofstream(dir_ / "bids/sub-07/perf/sub-07_dce.json") << sidecar.dump();
  auto const bids = config("bids.yaml",
                           "modality: dce\nsubject: sub-07\ninputs:\n  bids: bids\n  t1_map: t1.nii.gz\n"
                           "aif:\n  delay_s: 20\nfit:\n  model: tofts\noutput:\n  dir: out\n");
  auto const message = error_of<InputError>(bids);
  EXPECT_NE(message.find("sub-07_dce.json"), std::string::npos) << message;
  EXPECT_NE(message.find("RepetitionTimeExcitation"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  // With the excitation TR the same dataset runs.
  sidecar["RepetitionTimeExcitation"] = sim.tr_s;
  std::ofstream(dir_ / "bids/sub-07/perf/sub-07_dce.json") << sidecar.dump();
  auto const report = run(bids);
  EXPECT_EQ(report.usable, report.voxels);
}

TEST_F(DceInputs, SidecarsAboveTheSeriesApplyByTheBidsInheritancePrinciple) {
  auto sim = voxflow::testing::clean_signal_simulation();
  simulate(sim);
  fs::create_directories(dir_ / "bids/sub-07/perf");
  fs::copy_file(dir_ / "signal.nii.gz", dir_ / "bids/sub-07/perf/sub-07_dce.nii.gz");
  std::ofstream(dir_ / "bids/dataset_description.json") << R"({"Name": "t", "BIDSVersion": "1.9.0"})";
  // The flip angle for the whole dataset, the excitation TR for the subject, the timing beside the series; a
  // wrong dataset-level TR is overridden by the subject's.
  std::ofstream(dir_ / "bids/dce.json")
      << nlohmann::json{{"FlipAngle", sim.flip_angle_deg}, {"RepetitionTimeExcitation", 9.9}}.dump();
  std::ofstream(dir_ / "bids/sub-07/sub-07_dce.json")
      << nlohmann::json{{"RepetitionTimeExcitation", sim.tr_s}}.dump();
  nlohmann::json timing;
  for (int t = 0; t < sim.frames; ++t) timing["VolumeTiming"].push_back(t * sim.frame_s);
  std::ofstream(dir_ / "bids/sub-07/perf/sub-07_dce.json") << timing.dump();
  std::string const base =
      "modality: dce\nsubject: sub-07\ninputs:\n  bids: bids\n  t1_map: t1.nii.gz\n"
      "aif:\n  delay_s: 20\nfit:\n  model: tofts\noutput:\n  dir: ";
  auto const report = run(config("bids.yaml", base + "out\n"));
  EXPECT_EQ(report.usable, report.voxels);
  // An error in an inherited field names the file it came from.
  std::ofstream(dir_ / "bids/dce.json") << R"({"FlipAngle": "fifteen"})";
  auto const message = error_of<InputError>(config("again.yaml", base + "out2\n"));
  EXPECT_NE(message.find((dir_ / "bids/dce.json").string()), std::string::npos) << message;
  EXPECT_NE(message.find("FlipAngle"), std::string::npos) << message;
}

TEST_F(DceInputs, TheRunAndAcqKeysChooseAmongSeveralBidsSeries) {
  auto sim = voxflow::testing::clean_signal_simulation();
  simulate(sim);
  fs::create_directories(dir_ / "bids/sub-07/perf");
  nlohmann::json sidecar = {{"FlipAngle", sim.flip_angle_deg}, {"RepetitionTimeExcitation", sim.tr_s}};
  for (int t = 0; t < sim.frames; ++t) sidecar["VolumeTiming"].push_back(t * sim.frame_s);
  for (char const* name : {"sub-07_acq-fast_run-1_dce", "sub-07_acq-fast_run-2_dce"}) {
    fs::copy_file(dir_ / "signal.nii.gz", dir_ / "bids/sub-07/perf" / (std::string(name) + ".nii.gz"));
    std::ofstream(dir_ / "bids/sub-07/perf" / (std::string(name) + ".json")) << sidecar.dump();
  }
  std::string const base =
      "modality: dce\nsubject: sub-07\ninputs:\n  bids: bids\n  t1_map: t1.nii.gz\n"
      "aif:\n  delay_s: 20\nfit:\n  model: tofts\noutput:\n  dir: out\n";
  auto const message = error_of<InputError>(config("both.yaml", base));
  EXPECT_NE(message.find("sub-07_acq-fast_run-1_dce.nii.gz"), std::string::npos) << message;
  EXPECT_NE(message.find("sub-07_acq-fast_run-2_dce.nii.gz"), std::string::npos) << message;
  EXPECT_NE(message.find("run: <label>"), std::string::npos) << message;
  // run-2 (with or without the prefix) picks the second; a label no file has is an error naming it.
  auto const report = run(config("run2.yaml", base + "run: run-2\nacq: fast\n"));
  EXPECT_EQ(report.usable, report.voxels);
  auto const missing = error_of<InputError>(config("run3.yaml", base + "run: 3\n"));
  EXPECT_NE(missing.find("_run-3"), std::string::npos) << missing;
}

TEST_F(DceInputs, AMaskOnAnotherGridIsRefusedNamingTheAxisThatDiffers) {
  simulate(voxflow::testing::clean_signal_simulation());
  auto mask = io::read_nifti((dir_ / "mask.nii.gz").string());
  std::array<int64_t, 3> const dims{mask.dims[0], mask.dims[1], mask.dims[2]};
  // The same voxels with the j axis flipped in the sform (a mask resampled by another tool's convention).
  io::NiftiGeometry flipped = mask.geometry;
  for (int r = 0; r < 3; ++r) {
    flipped.srow[r][3] += flipped.srow[r][1] * static_cast<double>(dims[1] - 1);
    flipped.srow[r][1] = -flipped.srow[r][1];
  }
  flipped.qform_code = 0;
  io::write_nifti((dir_ / "mask.nii.gz").string(), flipped, dims, mask.data);
  auto const message = error_of<InputError>((dir_ / "config.yaml").string());
  EXPECT_NE(message.find("mask.nii.gz"), std::string::npos) << message;
  EXPECT_NE(message.find("voxel axis j"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

}  // namespace
