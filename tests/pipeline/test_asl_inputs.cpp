// What an ASL run takes from its inputs: the subtraction plan of an aslcontext, the acquisition parameters of
// the configuration and the sidecar (and which wins), and the M0 sources: m0scan volumes inside the series,
// one value, the mask mean.
#include "pipeline/asl/asl_context.hpp"
#include "pipeline/asl/asl_settings.hpp"
#include "pipeline/asl/asl_simulation.hpp"
#include "pipeline_test.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace voxflow;
using namespace voxflow::pipeline::asl_run;

namespace {

class AslInputs : public voxflow::testing::PipelineTest {
 protected:
  std::string file(std::string const& name, std::string const& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  AslSettings settings(std::string const& yaml) const {
    return read_asl_settings(pipeline::read_run_config(file("config.yaml", yaml)));
  }
  void simulate_subject() const {
    AslSimulation sim;
    sim.out_dir = dir_.string();
    sim.matrix = {6, 5, 2};
    simulate_asl(sim);
  }
};

TEST_F(AslInputs, TheAslContextPairsControlsAndLabelsInFileOrderAndGroupsThemByDelay) {
  // Extra columns, an m0scan and a noRF volume, label before control, and a deltam volume.
  auto const path = file("context.tsv",
                         "volume_type\tnote\nm0scan\ta\ncontrol\tb\nlabel\tc\nlabel\td\ncontrol\te\n"
                         "noRF\tf\ndeltam\tg\n");
  auto const types = read_aslcontext(path);
  ASSERT_EQ(types.size(), 7u);
  EXPECT_EQ(m0scan_volumes(types), (std::vector<int>{0}));
  auto const plan = difference_plan(types, {0.0, 1.5, 1.5, 0.5, 0.5, 0.0, 1.5}, path);
  EXPECT_EQ(plan.group_pld_s, (std::vector<double>{0.5, 1.5}));
  EXPECT_EQ(plan.control, (std::vector<int>{1, 4, 6}));
  EXPECT_EQ(plan.label, (std::vector<int>{2, 3, -1}));
  EXPECT_EQ(plan.group, (std::vector<int>{1, 0, 1}));
  // A pair at two delays, unequal counts and an unknown type are errors naming the file.
  auto expect_input_error = [&](auto&& f, std::string const& expected) {
    try {
      f();
      ADD_FAILURE() << "expected InputError: " << expected;
    } catch (InputError const& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  expect_input_error(
      [&] {
        difference_plan(types, {0.0, 1.5, 1.0, 0.5, 0.5, 0.0, 1.5}, path);
      },
      "at the same post-labeling delay");
  auto const uneven = file("uneven.tsv", "volume_type\ncontrol\nlabel\nlabel\n");
  expect_input_error(
      [&] {
        difference_plan(read_aslcontext(uneven), {1, 1, 1}, uneven);
      },
      "as many control as label volumes");
  expect_input_error([&] { read_aslcontext(file("bad.tsv", "volume_type\ncontrol\ntag\n")); }, "found 'tag'");
  expect_input_error([&] { read_aslcontext(file("nohead.tsv", "control\nlabel\n")); }, "volume_type");
}

TEST_F(AslInputs, SidecarsFillWhatTheConfigurationLeavesOutAndTheConfigurationWins) {
  simulate_subject();
  file("asl.json", nlohmann::json{{"ArterialSpinLabelingType", "PASL"},
                                  {"BolusCutOffDelayTime", 0.8},
                                  {"PostLabelingDelay", 1.9},
                                  {"BackgroundSuppressionNumberPulses", 4},
                                  {"RepetitionTimePreparation", 4.0}}
                       .dump());
  file("m0.json", nlohmann::json{{"RepetitionTimePreparation", 2.0}}.dump());
  std::string const base =
      "modality: asl\nsubject: sub-01\ninputs:\n  asl: asl.nii.gz\n  aslcontext: aslcontext.tsv\n"
      "  m0scan: m0.nii.gz\n";
  auto const s = settings(base + "acquisition:\n  m0_tr_correction: true\n  background_suppression: true\n");
  EXPECT_EQ(s.constants.labeling, asl::Labeling::pasl);
  EXPECT_DOUBLE_EQ(s.constants.bolus_duration_s, 0.8);
  EXPECT_DOUBLE_EQ(s.constants.labeling_efficiency, 0.98);  // the white paper's PASL value
  EXPECT_DOUBLE_EQ(s.constants.background_efficiency, std::pow(0.95, 4));
  EXPECT_EQ(s.pld_s, (std::vector<double>{1.9}));
  // The M0 scan's own sidecar gives its TR: 2 s < 5 s, so M0 is divided by 1 - e^(-2/1.33).
  EXPECT_DOUBLE_EQ(s.constants.m0_scale, 1.0 / (1.0 - std::exp(-2.0 / 1.33)));
  // Configuration values win; the sidecar's are recorded.
  auto const c =
      settings(base +
               "acquisition:\n  labeling_type: pcasl\n  labeling_duration_s: 1.5\n"
               "  post_labeling_delay_s: 1.7\n  m0_tr_correction: true\n  m0_repetition_time_s: 6\n"
               "quantification:\n  labeling_efficiency: 0.8\n");
  EXPECT_EQ(c.constants.labeling, asl::Labeling::pcasl);
  EXPECT_DOUBLE_EQ(c.constants.labeling_duration_s, 1.5);
  EXPECT_DOUBLE_EQ(c.constants.labeling_efficiency, 0.8);
  EXPECT_EQ(c.pld_s, (std::vector<double>{1.7}));
  EXPECT_DOUBLE_EQ(c.constants.m0_scale, 1.0);  // TR 6 s: fully relaxed
  EXPECT_EQ(c.sources["RepetitionTimePreparation"]["SidecarValue"], 2.0);
  // What neither gives is a ConfigError naming the key.
  fs::remove(dir_ / "asl.json");
  fs::remove(dir_ / "m0.json");
  try {
    settings(base);
    FAIL() << "expected ConfigError";
  } catch (ConfigError const& e) {
    EXPECT_NE(std::string(e.what()).find("acquisition.labeling_type"), std::string::npos) << e.what();
  }
  try {
    settings(base +
             "acquisition:\n  labeling_type: PCASL\n  labeling_duration_s: 1.8\n"
             "  post_labeling_delay_s: 1.8\n  m0_tr_correction: true\n");
    FAIL() << "expected ConfigError";
  } catch (ConfigError const& e) {
    EXPECT_NE(std::string(e.what()).find("acquisition.m0_repetition_time_s"), std::string::npos) << e.what();
  }
}

TEST_F(AslInputs, M0ComesFromM0scanVolumesOfTheSeriesOrOneValueOrTheMaskMean) {
  simulate_subject();
  // The M0 scan as two m0scan volumes at the end of the series; no separate M0 file.
  auto series = io::read_nifti((dir_ / "asl.nii.gz").string());
  auto const m0 = io::read_nifti((dir_ / "m0.nii.gz").string());
  for (int r = 0; r < 2; ++r) series.data.insert(series.data.end(), m0.data.begin(), m0.data.end());
  series.dims[3] += 2;
  io::write_nifti_4d((dir_ / "with_m0.nii.gz").string(), series.geometry, series.dims, series.data);
  std::ofstream(dir_ / "aslcontext.tsv", std::ios::app) << "m0scan\nm0scan\n";
  std::ofstream(dir_ / "plds.txt", std::ios::app) << "0\n0\n";
  std::string const base =
      "modality: asl\nsubject: sub-01\ninputs:\n  asl: with_m0.nii.gz\n  aslcontext: aslcontext.tsv\n"
      "  mask: mask.nii.gz\nacquisition:\n  labeling_type: PCASL\n  labeling_duration_s: 1.8\n"
      "  post_labeling_delay_s: plds.txt\n";
  auto const report = run(file("included.yaml", base + "output:\n  dir: included\n"));
  EXPECT_EQ(report.usable, report.voxels);
  auto const cbf = io::read_nifti((dir_ / "included/sub-01/perf/sub-01_desc-multipld_cbf.nii.gz").string());
  auto const truth = io::read_nifti((dir_ / "truth_cbf.nii.gz").string());
  auto const mask = io::read_nifti((dir_ / "mask.nii.gz").string());
  for (std::size_t i = 0; i < mask.data.size(); ++i)
    if (mask.data[i] > 0) {
      EXPECT_NEAR(cbf.data[i], truth.data[i], 1e-4 * truth.data[i]);
    }
  // One value for every voxel, the mean over the mask (or a reference region, here the mask), and a
  // configured value that wins over the M0 image of the default voxelwise method: the M0 map says which was
  // used.
  double mean = 0.0, count = 0.0;
  for (std::size_t i = 0; i < mask.data.size(); ++i)
    if (mask.data[i] > 0) {
      mean += m0.data[i];
      count += 1.0;
    }
  mean /= count;
  for (auto const& [name, extra, expected] :
       {std::tuple<std::string, std::string, double>{
            "value", "calibration:\n  m0_method: single\n  m0_value: 950\n", 950.0},
        {"mean", "calibration:\n  m0_method: single\n", mean},
        {"configured", "calibration:\n  m0_value: 900\n", 900.0},
        {"region", "calibration:\n  m0_method: reference_region\n  reference_mask: mask.nii.gz\n", mean}}) {
    run(file(name + ".yaml", base + extra + "output:\n  dir: " + name + "\n"));
    auto const used =
        io::read_nifti((dir_ / name / "sub-01/anat/sub-01_desc-multipld_M0map.nii.gz").string());
    for (std::size_t i = 0; i < mask.data.size(); ++i)
      if (mask.data[i] > 0) {
        EXPECT_NEAR(used.data[i], expected, 1e-4 * expected) << name;
      }
  }
}

}  // namespace

// A delay written in the configuration that is out of range is the configuration's mistake (exit 3, the key
// named); the same delay from a text file is the file's (exit 4, the file named).
TEST_F(AslInputs, AnOutOfRangeDelayIsAConfigErrorWhenTheConfigurationGivesIt) {
  simulate_subject();
  std::string const base =
      "modality: asl\nsubject: sub-01\ninputs:\n  asl: asl.nii.gz\n  aslcontext: aslcontext.tsv\n"
      "  m0scan: m0.nii.gz\nacquisition:\n  labeling_type: pcasl\n  labeling_duration_s: 1.8\n";
  try {
    settings(base + "  post_labeling_delay_s: [1.8, 45]\n");
    FAIL() << "expected ConfigError";
  } catch (ConfigError const& e) {
    EXPECT_NE(std::string(e.what()).find("acquisition.post_labeling_delay_s"), std::string::npos) << e.what();
  }
  auto const delays = file("delays.txt", "1.8\n45\n");
  try {
    settings(base + "  post_labeling_delay_s: delays.txt\n");
    FAIL() << "expected InputError";
  } catch (InputError const& e) {
    EXPECT_NE(std::string(e.what()).find(delays), std::string::npos) << e.what();
  }
}
