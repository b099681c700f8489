// DSC end to end through the voxflow executable, as users and external checks run it: the simulator writes a
// subject with known CBF/CBV/MTT, `voxflow run` maps it, the maps on disk are compared with the truth; the
// issue's contract configuration runs as written; bad inputs stop with one clear error and exit code 4.
#include "child_process.hpp"
#include "dsc_contract.hpp"
#include "pipeline/dsc/dsc_simulation.hpp"
#include "pipeline_test.hpp"

#include <voxflow/dsc/lcurve.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace voxflow;
using voxflow::pipeline::dsc_run::DscSimulation;
using voxflow::testing::ChildProcess;
using voxflow::testing::exit_code_of;
using voxflow::testing::read_file;

namespace {

class DscEndToEnd : public voxflow::testing::PipelineTest {
 protected:
  std::string simulate_dsc(DscSimulation sim) const {
    sim.out_dir = dir_.string();
    return pipeline::dsc_run::simulate_dsc(sim);
  }
  int voxflow(std::vector<std::string> const& args, std::string const& tag = "run") {
    ChildProcess child(VOXFLOW_CLI, args, (dir_ / (tag + ".err")).string(), (dir_ / (tag + ".out")).string());
    return exit_code_of(child.wait());
  }
  // A subject of gamma-shaped residues (flat at t = 0, as in the OSIPI DRO).
  static DscSimulation gamma_subject(std::array<int, 3> matrix, int frames, double noise) {
    DscSimulation sim;
    sim.matrix = matrix;
    sim.frames = frames;
    sim.noise = noise;
    sim.residue = "gamma";
    return sim;
  }
  std::string err(std::string const& tag = "run") const { return read_file(dir_ / (tag + ".err")); }
  std::string map(std::string const& subject, std::string const& method, std::string const& param) const {
    return (dir_ / "out" / subject / "perf" / (subject + "_desc-" + method + "_" + param + ".nii.gz"))
        .string();
  }
  // Median relative error of a map against the truth over the tissue voxels (not the arterial ones).
  double median_error(std::string const& fitted, std::string const& truth) const {
    auto const f = io::read_nifti(fitted), t = io::read_nifti(truth),
               a = io::read_nifti((dir_ / "aif_mask.nii.gz").string());
    std::vector<double> e;
    for (std::size_t i = 0; i < a.data.size(); ++i)
      if (a.data[i] == 0.0) e.push_back(std::fabs(f.data[i] - t.data[i]) / std::fabs(t.data[i]));
    std::nth_element(e.begin(), e.begin() + static_cast<std::ptrdiff_t>(e.size() / 2), e.end());
    return e[e.size() / 2];
  }
  std::string replaced(std::string text, std::string const& from, std::string const& to) const {
    auto const at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }
  std::string write(std::string const& name, std::string const& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
};

TEST_F(DscEndToEnd, SimulatedSubjectRoundTripsCbfCbvMttForEveryMethod) {
  DscSimulation sim;
  sim.matrix = {8, 6, 1};
  sim.frames = 120;  // every curve back at baseline: CBV is the whole area
  sim.noise = 0.0005;
  sim.residue = "gamma";  // flat at t = 0, as in the OSIPI DRO: truncated deconvolution recovers its peak
  auto const config = simulate_dsc(sim);
  for (std::string method : {"ssvd", "csvd", "osvd", "tikhonov"}) {
    // High SNR: light regularisation for the fixed-threshold methods (their defaults, 0.2 / 0.1 / 0.1,
    // trade the peak of the residue, i.e. CBF, for robustness to noise).
    std::string const regularisation = method == "tikhonov" ? "\n  tikhonov_lambda: 0.03"
                                       : method == "osvd"   ? ""
                                                            : "\n  threshold: 0.05";
    auto const cfg = write(method + ".yaml",
                           replaced(read_file(config), "method: osvd", "method: " + method + regularisation));
    ASSERT_EQ(voxflow({"run", "--quiet", cfg}, method), 0) << err(method);
    EXPECT_LT(median_error(map("sub-sim", method, "CBV"), (dir_ / "truth_CBV.nii.gz").string()), 0.03)
        << method;
    // The voxels with the shortest transit times (CBF 70, CBV 2: 1.7 s, under two frames) are the hardest.
    double const cbf_tolerance = method == "osvd" ? 0.1 : 0.15;
    EXPECT_LT(median_error(map("sub-sim", method, "CBF"), (dir_ / "truth_CBF.nii.gz").string()),
              cbf_tolerance)
        << method;
    EXPECT_LT(median_error(map("sub-sim", method, "MTT"), (dir_ / "truth_MTT.nii.gz").string()),
              cbf_tolerance + 0.05)
        << method;
    fs::rename(dir_ / "out", dir_ / ("out-" + method));
  }
}

TEST_F(DscEndToEnd, TheContractConfigurationWritesCbfCbvMttOnTheGridOfTheSignal) {
  DscSimulation sim;
  sim.matrix = {8, 6, 2};
  sim.bolus_arrival_s = 12.0;  // the contract's baseline [0, 8) is pre-bolus
  sim.residue = "gamma";
  simulate_dsc(sim);
  auto const config = write("contract.yaml", voxflow::testing::dsc_contract_yaml);
  ASSERT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
  auto const signal = io::read_nifti_header((dir_ / "dsc.nii.gz").string());
  for (std::string param : {"CBF", "CBV", "MTT"}) {
    std::string found;
    for (auto const& e : fs::recursive_directory_iterator(dir_ / "out")) {
      std::string const name = e.path().filename().string();
      if (name.find(param) != std::string::npos && name.size() > 7 &&
          name.substr(name.size() - 7) == ".nii.gz")
        found = e.path().string();
    }
    ASSERT_FALSE(found.empty()) << param;
    auto const h = io::read_nifti_header(found);
    EXPECT_TRUE(io::same_grid(signal.geometry, {signal.dims[0], signal.dims[1], signal.dims[2], 1},
                              h.geometry, h.dims))
        << found;
    // Default noise (0.2 % of S0): a check of units and layout, accuracy is tested above.
    EXPECT_LT(median_error(found, (dir_ / ("truth_" + param + ".nii.gz")).string()), 0.25) << param;
  }
  // The AIF used, and kh/density in the sidecars.
  auto const perf = dir_ / "out/sub-01/perf";
  EXPECT_TRUE(fs::exists(perf / "sub-01_desc-osvd_aif.tsv"));
  EXPECT_EQ(read_file(perf / "sub-01_desc-osvd_aif.tsv").rfind("time_s\tdelta_r2_per_s\n", 0), 0u);
  auto const sidecar = nlohmann::json::parse(read_file(perf / "sub-01_desc-osvd_CBF.json"));
  EXPECT_EQ(sidecar["Units"], "mL/100g/min");
  EXPECT_EQ(sidecar["HematocritFactor"], 1.0);
  EXPECT_EQ(sidecar["DensityGramsPerMl"], 1.0);
  EXPECT_EQ(sidecar["AIF"]["Source"], "measured");
  EXPECT_EQ(voxflow({"dump-defaults", "dsc"}, "defaults"), 0) << err("defaults");
  EXPECT_NE(read_file(dir_ / "defaults.out").find("deconvolution:"), std::string::npos);
}

TEST_F(DscEndToEnd, LeakageCorrectionRecoversCbvOfLeakyVoxels) {
  DscSimulation sim;
  sim.matrix = {12, 6, 1};
  sim.noise = 0.0005;
  sim.leakage_k2 = 0.02;
  sim.residue = "gamma";
  auto const config = simulate_dsc(sim);
  auto const plain =
      write("plain.yaml",
            replaced(replaced(read_file(config), "leakage_correction: true", "leakage_correction: false"),
                     "subject: sub-sim", "subject: sub-plain"));
  ASSERT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
  ASSERT_EQ(voxflow({"run", "--quiet", plain}, "plain"), 0) << err("plain");
  auto const truth = io::read_nifti((dir_ / "truth_CBV.nii.gz").string());
  auto const k2_truth = io::read_nifti((dir_ / "truth_K2.nii.gz").string());
  auto const corrected = io::read_nifti(map("sub-sim", "osvd", "CBV"));
  auto const uncorrected = io::read_nifti(map("sub-plain", "osvd", "CBV"));
  auto const k2 = io::read_nifti(map("sub-sim", "osvd", "K2"));
  double worst_corrected = 0.0, worst_uncorrected = 0.0;
  for (std::size_t i = 0; i < truth.data.size(); ++i) {
    if (k2_truth.data[i] == 0.0) continue;  // leaky voxels only
    worst_corrected = std::max(worst_corrected, std::fabs(corrected.data[i] - truth.data[i]) / truth.data[i]);
    worst_uncorrected =
        std::max(worst_uncorrected, std::fabs(uncorrected.data[i] - truth.data[i]) / truth.data[i]);
    EXPECT_NEAR(k2.data[i], 0.02, 0.004) << i;
  }
  EXPECT_GT(worst_uncorrected, 0.2);  // the leakage term matters
  EXPECT_LT(worst_corrected, 0.05);
}

TEST_F(DscEndToEnd, BadInputsGiveOneClearErrorWithTheInputExitCode) {
  DscSimulation sim;
  sim.matrix = {6, 4, 1};
  auto const config = read_file(simulate_dsc(sim));
  struct Case {
    std::string name, config, expected;
  };
  // An AIF mask with no voxel, and one whose voxels all lie outside the data mask.
  std::vector<double> const zeros(24, 0.0);
  std::vector<double> outside(24, 0.0), mask(24, 1.0);
  outside[23] = 1.0;
  mask[23] = 0.0;
  auto const geometry = io::read_nifti_header((dir_ / "mask.nii.gz").string()).geometry;
  io::write_nifti((dir_ / "empty_aif.nii.gz").string(), geometry, {6, 4, 1}, zeros);
  io::write_nifti((dir_ / "outside_aif.nii.gz").string(), geometry, {6, 4, 1}, outside);
  io::write_nifti((dir_ / "partial_mask.nii.gz").string(), geometry, {6, 4, 1}, mask);
  // A signal that is zero in the baseline of every voxel (one such voxel is data: see the next test).
  auto signal = io::read_nifti((dir_ / "dsc.nii.gz").string());
  for (std::size_t v = 0; v < 24; ++v) signal.data[v + 24 * 1] = 0.0;
  io::write_nifti_4d((dir_ / "bad_signal.nii.gz").string(), signal.geometry, signal.dims, signal.data);
  std::vector<Case> const cases{
      {"note", replaced(config, "  echo_time_s: 0.03\n", ""), "acquisition.echo_time_s"},
      // A configured echo time that is not positive is the configuration's fault (exit 3): see
      // tests/faults/test_config_exit_codes.cpp.
      {"emptyaif", replaced(config, "mask: aif_mask.nii.gz", "mask: empty_aif.nii.gz"), "the mask is empty"},
      {"outsideaif",
       replaced(replaced(config, "mask: aif_mask.nii.gz", "mask: outside_aif.nii.gz"), "mask: mask.nii.gz",
                "mask: partial_mask.nii.gz"),
       "inside the data mask"},
      {"baselinesignal", replaced(config, "signal: dsc.nii.gz", "signal: bad_signal.nii.gz"), "<= 0"},
  };
  for (auto const& c : cases) {
    auto const path =
        write(c.name + ".yaml", replaced(c.config, "subject: sub-sim", "subject: sub-" + c.name));
    EXPECT_EQ(voxflow({"run", "--quiet", path}, c.name), 4) << c.name << ": " << err(c.name);
    EXPECT_NE(err(c.name).find(c.expected), std::string::npos) << c.name << ": " << err(c.name);
    EXPECT_FALSE(
        fs::exists(dir_ / "out" / ("sub-" + c.name) / "perf" / ("sub-" + c.name + "_desc-osvd_CBF.nii.gz")))
        << c.name;
  }
}

// A voxel with a zero or NaN baseline sample (background, a corrupt voxel at the mask's edge) gets NaN maps
// and the non-finite-input status; the rest of the subject, with its detected AIF and baseline, is unchanged.
TEST_F(DscEndToEnd, AVoxelWithoutABaselineIsDataNotAReasonToRefuseTheSubject) {
  DscSimulation sim;
  sim.matrix = {8, 6, 3};
  sim.noise = 0.0005;
  sim.residue = "gamma";
  auto const config = replaced(
      replaced(read_file(simulate_dsc(sim)), "source: measured\n  mask: aif_mask.nii.gz", "source: detect"),
      "  baseline_frames: [0, 10]\n", "");
  ASSERT_EQ(voxflow({"run", "--quiet", write("clean.yaml", config)}, "clean"), 0) << err("clean");
  auto signal = io::read_nifti((dir_ / "dsc.nii.gz").string());
  std::size_t const voxels = 8 * 6 * 3, zero_voxel = 9, nan_voxel = 30;
  signal.data[zero_voxel + voxels * 2] = 0.0;
  signal.data[nan_voxel + voxels * 1] = std::nan("");
  io::write_nifti_4d((dir_ / "dsc.nii.gz").string(), signal.geometry, signal.dims, signal.data);
  auto const corrupt = replaced(config, "subject: sub-sim", "subject: sub-corrupt");
  ASSERT_EQ(voxflow({"run", "--quiet", write("corrupt.yaml", corrupt)}, "corrupt"), 0) << err("corrupt");
  auto const clean = io::read_nifti(map("sub-sim", "osvd", "CBF"));
  auto const cbf = io::read_nifti(map("sub-corrupt", "osvd", "CBF"));
  auto const status =
      io::read_nifti((dir_ / "out/sub-corrupt/anat/sub-corrupt_desc-osvdfitstatus_dseg.nii.gz").string());
  for (std::size_t v = 0; v < voxels; ++v) {
    if (v == zero_voxel || v == nan_voxel) {
      EXPECT_TRUE(std::isnan(cbf.data[v])) << v;
      EXPECT_EQ(static_cast<FitStatus>(status.data[v]), FitStatus::non_finite_input) << v;
    } else {
      EXPECT_NEAR(cbf.data[v], clean.data[v], 1e-3 * std::fabs(clean.data[v])) << v;
    }
  }
  auto const sidecar =
      nlohmann::json::parse(read_file(dir_ / "out/sub-corrupt/perf/sub-corrupt_desc-osvd_CBF.json"));
  EXPECT_EQ(sidecar["VoxelsWithoutBaseline"], 2);
}

TEST_F(DscEndToEnd, AifFromAFileOrDetectedAndADetectedBaseline) {
  DscSimulation sim;
  sim.matrix = {8, 6, 3};  // 12 arterial voxels: more than the detector's 10 candidates
  sim.noise = 0.0005;
  sim.residue = "gamma";
  auto const config = read_file(simulate_dsc(sim));
  ASSERT_EQ(voxflow({"run", "--quiet", write("measured.yaml", config)}, "measured"), 0) << err("measured");
  // The AIF the measured run used, as a plain text curve.
  std::ifstream table(dir_ / "out/sub-sim/perf/sub-sim_desc-osvd_aif.tsv");
  std::string line;
  std::getline(table, line);
  std::ofstream curve(dir_ / "aif.txt");
  double t = 0.0, value = 0.0;
  while (table >> t >> value) curve << value << "\n";
  curve.close();
  auto const from_file =
      replaced(replaced(config, "source: measured\n  mask: aif_mask.nii.gz", "source: file\n  file: aif.txt"),
               "subject: sub-sim", "subject: sub-file");
  ASSERT_EQ(voxflow({"run", "--quiet", write("file.yaml", from_file)}, "file"), 0) << err("file");
  auto const measured = io::read_nifti(map("sub-sim", "osvd", "CBF"));
  auto const file = io::read_nifti(map("sub-file", "osvd", "CBF"));
  for (std::size_t i = 0; i < measured.data.size(); ++i)
    EXPECT_NEAR(file.data[i], measured.data[i], 1e-6 * std::fabs(measured.data[i])) << i;
  // Detected AIF and baseline (no aif.mask, no baseline_frames): the arterial voxels are found.
  auto const detected =
      replaced(replaced(replaced(config, "source: measured\n  mask: aif_mask.nii.gz", "source: detect"),
                        "  baseline_frames: [0, 10]\n", ""),
               "subject: sub-sim", "subject: sub-detect");
  ASSERT_EQ(voxflow({"run", "--quiet", write("detect.yaml", detected)}, "detect"), 0) << err("detect");
  EXPECT_LT(median_error(map("sub-detect", "osvd", "CBV"), (dir_ / "truth_CBV.nii.gz").string()), 0.1);
  EXPECT_LT(median_error(map("sub-detect", "osvd", "CBF"), (dir_ / "truth_CBF.nii.gz").string()), 0.15);
  auto const sidecar =
      nlohmann::json::parse(read_file(dir_ / "out/sub-detect/perf/sub-detect_desc-osvd_CBF.json"));
  EXPECT_EQ(sidecar["AIF"]["Source"], "detect");
  EXPECT_EQ(sidecar["BaselineFrames"][0], 0);
  EXPECT_GE(sidecar["BaselineFrames"][1], 8);
  EXPECT_LE(sidecar["BaselineFrames"][1], 11);
}

// Reference-region normalisation: rCBF and rCBV are CBF and CBV over their mean in the region (here the
// tissue voxels of the first half of x), so their mean there is 1; an empty region stops with one error.
TEST_F(DscEndToEnd, ReferenceRegionNormalisationDividesByTheRegionMean) {
  auto const config = read_file(simulate_dsc(gamma_subject({8, 6, 1}, DscSimulation().frames, 0.002)));
  auto const aif_mask = io::read_nifti((dir_ / "aif_mask.nii.gz").string());
  std::vector<double> region(aif_mask.data.size(), 0.0);
  for (std::size_t i = 0; i < region.size(); ++i)
    region[i] = (i % 8 < 4 && aif_mask.data[i] == 0.0) ? 1.0 : 0.0;
  io::write_nifti((dir_ / "wm.nii.gz").string(), aif_mask.geometry, {8, 6, 1}, region);
  io::write_nifti((dir_ / "nowm.nii.gz").string(), aif_mask.geometry, {8, 6, 1},
                  std::vector<double>(region.size(), 0.0));
  auto const with_region = config + "normalisation:\n  reference_mask: wm.nii.gz\n";
  ASSERT_EQ(voxflow({"run", "--quiet", write("wm.yaml", with_region)}), 0) << err();
  for (std::string param : {"CBF", "CBV"}) {
    auto const absolute = io::read_nifti(map("sub-sim", "osvd", param));
    auto const relative = io::read_nifti(map("sub-sim", "osvd", "r" + param));
    double sum = 0.0;
    int count = 0;
    for (std::size_t i = 0; i < region.size(); ++i)
      if (region[i] > 0.0) {
        sum += relative.data[i];
        ++count;
      }
    EXPECT_NEAR(sum / count, 1.0, 1e-6) << param;
    double const reference = absolute.data[0] / relative.data[0];
    for (std::size_t i = 0; i < region.size(); ++i)
      EXPECT_NEAR(relative.data[i] * reference, absolute.data[i], 1e-5 * std::fabs(absolute.data[i])) << i;
  }
  auto const sidecar =
      nlohmann::json::parse(read_file(dir_ / "out/sub-sim/perf/sub-sim_desc-osvd_rCBF.json"));
  EXPECT_GT(sidecar["Normalisation"]["ReferenceCBF"].get<double>(), 0.0);
  auto const empty =
      replaced(replaced(with_region, "wm.nii.gz", "nowm.nii.gz"), "subject: sub-sim", "subject: sub-empty");
  EXPECT_EQ(voxflow({"run", "--quiet", write("nowm.yaml", empty)}, "nowm"), 4) << err("nowm");
  EXPECT_NE(err("nowm").find("normalisation.reference_mask"), std::string::npos) << err("nowm");
}

// Tikhonov with λ per voxel from the L-curve, and recirculation removal by first-pass gamma variates: both
// run end to end and keep CBV (an area ratio) close to the truth; the λ map holds grid values.
TEST_F(DscEndToEnd, LcurveTikhonovAndGammaVariateRecirculationRemovalRun) {
  auto const config = read_file(simulate_dsc(gamma_subject({8, 6, 1}, 120, 0.0005)));
  auto const lcurve =
      replaced(replaced(config, "method: osvd", "method: tikhonov\n  tikhonov_lambda_selection: lcurve"),
               "subject: sub-sim", "subject: sub-lcurve");
  ASSERT_EQ(voxflow({"run", "--quiet", write("lcurve.yaml", lcurve)}, "lcurve"), 0) << err("lcurve");
  EXPECT_LT(median_error(map("sub-lcurve", "tikhonov", "CBV"), (dir_ / "truth_CBV.nii.gz").string()), 0.05);
  EXPECT_LT(median_error(map("sub-lcurve", "tikhonov", "CBF"), (dir_ / "truth_CBF.nii.gz").string()), 0.25);
  auto const lambda = io::read_nifti(map("sub-lcurve", "tikhonov", "lambda"));
  auto const grid = dsc::lcurve_lambdas();
  auto const mask = io::read_nifti((dir_ / "mask.nii.gz").string());
  for (std::size_t i = 0; i < lambda.data.size(); ++i) {
    if (!(mask.data[i] > 0.0)) continue;
    EXPECT_TRUE(std::any_of(grid.begin(), grid.end(),
                            [&](double g) { return std::fabs(lambda.data[i] - g) <= 1e-6 * g; }))
        << i << ": " << lambda.data[i];
  }
  auto const gamma = replaced(replaced(config, "leakage_correction: false",
                                       "leakage_correction: false\nrecirculation:\n  method: gamma_variate"),
                              "subject: sub-sim", "subject: sub-gamma");
  ASSERT_EQ(voxflow({"run", "--quiet", write("gamma.yaml", gamma)}, "gamma"), 0) << err("gamma");
  EXPECT_LT(median_error(map("sub-gamma", "osvd", "CBV"), (dir_ / "truth_CBV.nii.gz").string()), 0.08);
  auto const sidecar =
      nlohmann::json::parse(read_file(dir_ / "out/sub-gamma/perf/sub-gamma_desc-osvd_CBF.json"));
  EXPECT_EQ(sidecar["Recirculation"]["TailFraction"], 0.4);
  EXPECT_EQ(voxflow({"dump-defaults", "dsc"}, "defaults"), 0) << err("defaults");
  for (char const* key : {"tikhonov_lambda_selection: fixed", "recirculation:", "tail_fraction: 0.4",
                          "normalisation:", "reference_mask:"})
    EXPECT_NE(read_file(dir_ / "defaults.out").find(key), std::string::npos) << key;
}

TEST_F(DscEndToEnd, SimulateWritesASubjectThatRuns) {
  ASSERT_EQ(
      voxflow({"simulate", "dsc", "--out", (dir_ / "sim").string(), "--matrix", "6,5,1", "--method", "csvd"},
              "simulate"),
      0)
      << err("simulate");
  for (char const* f : {"dsc.nii.gz", "time.txt", "mask.nii.gz", "aif_mask.nii.gz", "truth_CBF.nii.gz",
                        "truth_CBV.nii.gz", "truth_MTT.nii.gz", "config.yaml"})
    EXPECT_TRUE(fs::exists(dir_ / "sim" / f)) << f;
  ASSERT_EQ(voxflow({"run", "--quiet", (dir_ / "sim/config.yaml").string()}), 0) << err();
  EXPECT_TRUE(fs::exists(dir_ / "sim/out/sub-sim/perf/sub-sim_desc-csvd_CBF.nii.gz"));
}

}  // namespace
