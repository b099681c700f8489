// End to end: voxflow's own simulator writes a subject, the pipeline fits it from files, and the maps on disk
// are compared with the truth; bad inputs stop the run before anything is written.
#include "contract_config.hpp"
#include "pipeline_test.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/hdf5_subject_file.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/run_subject.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;
using namespace voxflow;

namespace {

class DceEndToEnd : public voxflow::testing::PipelineTest {
 protected:
  pipeline::SubjectReport run(std::string const& config, std::string const& backend = "auto") {
    pipeline::Overrides o;
    o.backend = backend;
    return PipelineTest::run(config, o);
  }

  // Largest relative error of a fitted map against the simulator's truth, inside the mask.
  double worst_error(std::string const& fitted, std::string const& truth) {
    auto const f = io::read_nifti(fitted), t = io::read_nifti(truth),
               m = io::read_nifti((dir_ / "mask.nii.gz").string());
    EXPECT_TRUE(io::same_grid(f.geometry, f.dims, t.geometry, t.dims));
    double worst = 0.0;
    for (std::size_t i = 0; i < m.data.size(); ++i)
      if (m.data[i] > 0) worst = std::max(worst, std::fabs(f.data[i] - t.data[i]) / std::fabs(t.data[i]));
    return worst;
  }

  std::string map(std::string const& desc, std::string const& param) const {
    return (dir_ / "out/sub-sim/perf" / ("sub-sim_desc-" + desc + "_" + param + ".nii.gz")).string();
  }
};

TEST_F(DceEndToEnd, ConcentrationInputRecoversTheTruthOnEveryHostBackend) {
  pipeline::dce_run::DceSimulation sim;
  sim.noise = 0.0;
  auto const config = simulate(sim);
  for (std::string backend : {"serial", "host"}) {
    fs::remove_all(dir_ / "out");
    auto const report = run(config, backend);
    EXPECT_EQ(report.fitted, report.voxels);
    EXPECT_EQ(report.usable, report.voxels);
    for (std::string param : {"Ktrans", "ve", "vp"})
      EXPECT_LT(worst_error(map("extendedtofts", param), (dir_ / ("truth_" + param + ".nii.gz")).string()),
                1e-5)
          << backend << " " << param;
  }
  // The geometry of the input, the unit in the sidecar, the code table of the status map, the AIF used.
  auto const input = io::read_nifti_header((dir_ / "conc.nii.gz").string());
  auto const ktrans = io::read_nifti_header(map("extendedtofts", "Ktrans"));
  EXPECT_TRUE(io::same_grid(input.geometry, input.dims, ktrans.geometry, ktrans.dims));
  nlohmann::json sidecar;
  std::ifstream(dir_ / "out/sub-sim/perf/sub-sim_desc-extendedtofts_Ktrans.json") >> sidecar;
  EXPECT_EQ(sidecar["Units"], "1/min");
  EXPECT_EQ(sidecar["AIF"]["Model"], "parker");
  nlohmann::json status;
  std::ifstream(dir_ / "out/sub-sim/anat/sub-sim_desc-extendedtoftsfitstatus_dseg.json") >> status;
  EXPECT_EQ(status["StatusCodes"]["0"], "converged");
  EXPECT_EQ(sidecar["SkullStripped"], false);
  std::ifstream table(dir_ / "out/sub-sim/anat/sub-sim_desc-extendedtoftsfitstatus_dseg.tsv");
  std::string header, first;
  std::getline(table, header);
  std::getline(table, first);
  EXPECT_EQ(header, "index\tname");
  EXPECT_EQ(first, "0\tconverged");
  EXPECT_TRUE(fs::exists(dir_ / "out/.bidsignore"));
  EXPECT_TRUE(fs::exists(dir_ / "out/dataset_description.json"));
  EXPECT_TRUE(fs::exists(dir_ / "out/sub-sim/perf/sub-sim_desc-extendedtofts_aif.tsv"));
  EXPECT_TRUE(fs::exists(dir_ / "out/sub-sim/perf/sub-sim_desc-extendedtofts_qc.png"));
  EXPECT_TRUE(fs::exists(dir_ / "out/sub-sim/perf/sub-sim_desc-extendedtofts_run.yaml"));
  EXPECT_EQ(fs::exists(dir_ / "out/sub-sim/perf/sub-sim_desc-extendedtofts_voxflow.h5"),
            io::hdf5_support_built());
  // Nothing half-written is left behind.
  for (auto const& e : fs::recursive_directory_iterator(dir_ / "out"))
    EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
}

TEST_F(DceEndToEnd, SignalWithAT1MapIsConvertedAndFitted) {
  auto sim = voxflow::testing::clean_signal_simulation();
  auto const config = simulate(sim);
  auto const report = run(config);
  EXPECT_EQ(report.usable, report.voxels);
  EXPECT_LT(worst_error(map("tofts", "Ktrans"), (dir_ / "truth_Ktrans.nii.gz").string()), 1e-5);
  EXPECT_LT(worst_error(map("tofts", "ve"), (dir_ / "truth_ve.nii.gz").string()), 1e-5);
}

TEST_F(DceEndToEnd, SignalFromADicomSeriesTakesFlipAngleTrAndFrameTimesFromIt) {
  auto sim = voxflow::testing::clean_signal_simulation();
  sim.matrix = {6, 5, 2};
  sim.frames = 40;
  auto const config = simulate(sim);
  // The simulated signal as a DICOM series on the same grid.
  auto const signal = io::read_nifti((dir_ / "signal.nii.gz").string());
  auto spec = voxflow::testing::simulator_grid_dicom(sim);
  double peak = 0.0;
  for (double v : signal.data) peak = std::max(peak, v);
  spec.rescale_slope = peak / 30000.0;  // int16 storage with about 4.5 significant digits
  for (double v : signal.data)
    spec.stored_values.push_back(static_cast<int>(std::lround(v / spec.rescale_slope)));
  io::write_synthetic_dicom_series((dir_ / "dicom").string(), spec);
  // No timing file, no flip angle, no TR in the configuration: all from the series.
  std::ofstream(dir_ / "dicom.yaml")
      << "modality: dce\nsubject: sub-sim\ninputs:\n  signal: dicom\n  t1_map: t1.nii.gz\n"
         "  mask: mask.nii.gz\nacquisition:\n  baseline_frames: [0, 5]\n"
         "aif:\n  delay_s: 20\nfit:\n  model: tofts\noutput:\n  dir: out\n";
  auto const report = run((dir_ / "dicom.yaml").string());
  EXPECT_EQ(report.usable, report.voxels);
  EXPECT_LT(worst_error(map("tofts", "Ktrans"), (dir_ / "truth_Ktrans.nii.gz").string()), 0.02);
  // A truncated file in the series stops the run before anything is written, naming the file.
  fs::copy(dir_ / "dicom", dir_ / "dicom_bad");
  auto const victim = fs::directory_iterator(dir_ / "dicom_bad")->path();
  fs::resize_file(victim, fs::file_size(victim) / 2);
  std::string bad_config;
  {
    std::ifstream in(dir_ / "dicom.yaml");
    bad_config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bad_config.replace(bad_config.find("signal: dicom"), 13, "signal: dicom_bad");
  bad_config.replace(bad_config.find("subject: sub-sim"), 16, "subject: sub-bad");
  std::ofstream(dir_ / "dicom_bad.yaml") << bad_config;
  try {
    run((dir_ / "dicom_bad.yaml").string());
    FAIL() << "expected InputError";
  } catch (InputError const& e) {
    EXPECT_NE(std::string(e.what()).find(victim.filename().string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "out/sub-bad"));
  // Without a flip angle anywhere, a NIfTI signal input is refused by name.
  std::ofstream(dir_ / "nifti.yaml")
      << "modality: dce\nsubject: sub-other\ninputs:\n  signal: signal.nii.gz\n"
         "  t1_map: t1.nii.gz\n  timing: time.txt\noutput:\n  dir: out\n";
  try {
    run((dir_ / "nifti.yaml").string());
    FAIL() << "expected ConfigError";
  } catch (ConfigError const& e) {
    EXPECT_NE(std::string(e.what()).find("acquisition.flip_angle_deg"), std::string::npos) << e.what();
  }
}

TEST_F(DceEndToEnd, ABidsLikeDatasetSuppliesSeriesSidecarAndT1Map) {
  auto sim = voxflow::testing::clean_signal_simulation();
  simulate(sim);
  fs::create_directories(dir_ / "bids/sub-07/perf");
  fs::create_directories(dir_ / "bids/sub-07/anat");
  fs::copy_file(dir_ / "signal.nii.gz", dir_ / "bids/sub-07/perf/sub-07_ce-gadolinium_dce.nii.gz");
  fs::copy_file(dir_ / "t1.nii.gz", dir_ / "bids/sub-07/anat/sub-07_T1map.nii.gz");
  nlohmann::json sidecar = {{"FlipAngle", sim.flip_angle_deg}, {"RepetitionTimeExcitation", sim.tr_s}};
  for (int t = 0; t < sim.frames; ++t) sidecar["VolumeTiming"].push_back(t * sim.frame_s);
  std::ofstream(dir_ / "bids/sub-07/perf/sub-07_ce-gadolinium_dce.json") << sidecar.dump();
  std::ofstream(dir_ / "bids.yaml")
      << "modality: dce\nsubject: sub-07\ninputs:\n  bids: bids\n  mask: mask.nii.gz\n"
         "acquisition:\n  baseline_frames: [0, 5]\naif:\n  delay_s: 20\n"
         "fit:\n  model: tofts\noutput:\n  dir: out\n";
  auto const report = run((dir_ / "bids.yaml").string());
  EXPECT_EQ(report.usable, report.voxels);
  auto const ktrans = (dir_ / "out/sub-07/perf/sub-07_desc-tofts_Ktrans.nii.gz").string();
  EXPECT_LT(worst_error(ktrans, (dir_ / "truth_Ktrans.nii.gz").string()), 1e-5);
  // A subject the dataset does not have is named in the error.
  std::ofstream(dir_ / "missing.yaml")
      << "modality: dce\nsubject: sub-99\ninputs:\n  bids: bids\noutput:\n  dir: out\n";
  try {
    run((dir_ / "missing.yaml").string());
    FAIL() << "expected InputError";
  } catch (InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("sub-99"), std::string::npos) << e.what();
  }
}

TEST_F(DceEndToEnd, SignalWithAVfaSeriesMapsT1InTheSameRun) {
  pipeline::dce_run::DceSimulation sim;
  sim.noise = 0.0;
  sim.input = "vfa";
  sim.bolus_delay_s = 20.0;
  auto const config = simulate(sim);
  // The flip angles as a plain text file instead of a list.
  std::ofstream(dir_ / "flip_angles.txt") << "2\n5\n10\n15\n20\n";
  std::ifstream in(config);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("[2, 5, 10, 15, 20]"), 18, "flip_angles.txt");
  std::ofstream(config) << text;
  auto const report = run(config);
  EXPECT_EQ(report.usable, report.voxels);
  // The T1 map has a BIDS name in anat/ (T1map), where the validator checks it.
  std::string const t1 = (dir_ / "out/sub-sim/anat/sub-sim_desc-extendedtofts_T1map.nii.gz").string();
  EXPECT_LT(worst_error(t1, (dir_ / "truth_T1.nii.gz").string()), 1e-6);
  EXPECT_LT(worst_error(map("extendedtofts", "Ktrans"), (dir_ / "truth_Ktrans.nii.gz").string()), 1e-5);
}

TEST_F(DceEndToEnd, NoisyDataGiveUnbiasedMapsAndTissueDelaysAreFitted) {
  pipeline::dce_run::DceSimulation sim;
  sim.noise = 0.01;
  sim.tissue_delay_s = 3.0;
  sim.model = dce::DceModel::two_compartment_uptake;
  auto const config = simulate(sim);
  auto const report = run(config);
  EXPECT_GT(report.usable, report.voxels * 95 / 100);
  auto const delay = io::read_nifti(map("2cum", "delay")),
             mask = io::read_nifti((dir_ / "mask.nii.gz").string());
  double sum = 0.0;
  int n = 0;
  for (std::size_t i = 0; i < mask.data.size(); ++i)
    if (mask.data[i] > 0) {
      sum += delay.data[i];
      ++n;
    }
  EXPECT_NEAR(sum / n, 3.0, 0.3);
}

TEST_F(DceEndToEnd, TheContractConfigurationProducesAKtransMapInPerMinute) {
  pipeline::dce_run::DceSimulation sim;
  sim.noise = 0.0;
  simulate(sim);
  std::string const contract = voxflow::testing::contract_yaml;
  std::ofstream(dir_ / "contract.yaml") << contract;
  run((dir_ / "contract.yaml").string());
  std::string found;
  for (auto const& e : fs::recursive_directory_iterator(dir_ / "out")) {
    std::string const name = e.path().filename().string();
    if (name.find("Ktrans") != std::string::npos && name.size() > 7 &&
        name.substr(name.size() - 7) == ".nii.gz")
      found = e.path().string();
  }
  ASSERT_FALSE(found.empty());
  EXPECT_LT(worst_error(found, (dir_ / "truth_Ktrans.nii.gz").string()), 1e-5);
}

TEST_F(DceEndToEnd, BadInputsStopBeforeAnyOutputIsWritten) {
  pipeline::dce_run::DceSimulation sim;
  auto const config = simulate(sim);
  {
    std::ofstream(dir_ / "time.txt") << "0\n4\n8\n";  // 3 times for 80 frames
    try {
      run(config);
      FAIL() << "expected InputError";
    } catch (InputError const& e) {
      EXPECT_NE(std::string(e.what()).find("time.txt"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("80"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir_ / "out/sub-sim"));
  }
  {
    std::ofstream(dir_ / "conc.nii.gz") << "this is not a NIfTI file";
    EXPECT_THROW(run(config), InputError);
    EXPECT_FALSE(fs::exists(dir_ / "out/sub-sim"));
  }
}

TEST_F(DceEndToEnd, FinishedSubjectsAreNeitherOverwrittenSilentlyNorRedoneOnResume) {
  pipeline::dce_run::DceSimulation sim;
  auto const config = simulate(sim);
  run(config);
  EXPECT_THROW(run(config), OutputError);
  pipeline::RunOptions resume;
  resume.resume = true;
  resume.quiet = true;
  EXPECT_TRUE(pipeline::run_subject(config, {}, resume).skipped);
  pipeline::Overrides overwrite;
  overwrite.overwrite = true;
  pipeline::RunOptions quiet;
  quiet.quiet = true;
  EXPECT_FALSE(pipeline::run_subject(config, overwrite, quiet).skipped);
}

}  // namespace
