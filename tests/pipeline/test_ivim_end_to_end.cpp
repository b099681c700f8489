// IVIM end to end through the voxflow executable: the simulator writes a subject, the contract configuration
// runs for each method, and the maps on disk are compared with the truth; bad b-value inputs stop the run
// with one clear error and the input-error exit code.
#include "child_process.hpp"
#include "ivim_contract.hpp"
#include "pipeline/ivim/ivim_simulation.hpp"
#include "pipeline_test.hpp"
#include "synthetic_dicom.hpp"

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
using voxflow::testing::ChildProcess;
using voxflow::testing::exit_code_of;
using voxflow::testing::read_file;

namespace {

class IvimEndToEnd : public voxflow::testing::PipelineTest {
 protected:
  // A simulated subject in the test folder (12 x 10 x 2 voxels, 11 b-values, 3 directions).
  void simulate_ivim(double noise) {
    pipeline::ivim_run::IvimSimulation sim;
    sim.out_dir = dir_.string();
    sim.matrix = {12, 10, 2};
    sim.noise = noise;
    pipeline::ivim_run::simulate_ivim(sim);
  }
  int voxflow(std::vector<std::string> const& args) {
    ChildProcess child(VOXFLOW_CLI, args, (dir_ / "run.err").string(), (dir_ / "run.out").string());
    return exit_code_of(child.wait());
  }
  std::string err() const { return read_file(dir_ / "run.err"); }
  std::string write_config(std::string const& name, std::string const& yaml) {
    std::ofstream(dir_ / name) << yaml;
    return (dir_ / name).string();
  }
  // Largest absolute error of a fitted map against the simulator's truth inside the mask.
  double worst_error(std::string const& fitted, std::string const& truth) const {
    auto const f = io::read_nifti(fitted), t = io::read_nifti((dir_ / truth).string()),
               m = io::read_nifti((dir_ / "mask.nii.gz").string());
    double worst = 0.0;
    for (std::size_t i = 0; i < m.data.size(); ++i)
      if (m.data[i] > 0) worst = std::max(worst, std::fabs(f.data[i] - t.data[i]));
    return worst;
  }
};

TEST_F(IvimEndToEnd, TheContractRunsForEveryMethodAndRecoversTheTruth) {
  simulate_ivim(0.0);
  auto const dwi = io::read_nifti_header((dir_ / "dwi.nii.gz").string());
  for (std::string method : {"segmented", "full", "bayesian"}) {
    SCOPED_TRACE(method);
    fs::remove_all(dir_ / "out");
    auto const config = write_config(method + ".yaml", voxflow::testing::ivim_contract_with_method(method));
    ASSERT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
    auto const d = output_ending("_D.nii.gz"), dstar = output_ending("_Dstar.nii.gz"),
               f = output_ending("_f.nii.gz");
    EXPECT_NE(d.find("sub-01/dwi/sub-01_desc-" + method + "_D.nii.gz"), std::string::npos) << d;
    for (auto const& map : {d, dstar, f}) {
      auto const header = io::read_nifti_header(map);
      EXPECT_TRUE(io::same_grid(dwi.geometry, {dwi.dims[0], dwi.dims[1], dwi.dims[2], 1}, header.geometry,
                                header.dims))
          << map;
    }
    // Noise-free data: full and Bayesian are exact, segmented within the bias of a D fitted above b = 200.
    bool const exact = method != "segmented";
    EXPECT_LT(worst_error(d, "truth_D.nii.gz"), exact ? 1e-6 : 5e-5);
    EXPECT_LT(worst_error(dstar, "truth_Dstar.nii.gz"), exact ? 1e-6 : 1.5e-2);
    EXPECT_LT(worst_error(f, "truth_f.nii.gz"), exact ? 1e-6 : 2e-2);
    EXPECT_LT(worst_error(output_ending("_S0.nii.gz"), "truth_S0.nii.gz"), exact ? 1e-3 : 10.0);
    nlohmann::json sidecar = nlohmann::json::parse(read_file(d.substr(0, d.size() - 7) + ".json"));
    EXPECT_EQ(sidecar["Units"], "mm^2/s");
    EXPECT_EQ(sidecar["BValues"].size(), 11u);
    output_ending("fitstatus_dseg.nii.gz");
    output_ending("_rsquared.nii.gz");
    if (method == "bayesian") {
      for (auto const* sd : {"_Dsd.nii.gz", "_Dstarsd.nii.gz", "_fsd.nii.gz"}) output_ending(sd);
    }
  }
}

TEST_F(IvimEndToEnd, NoisyDataGiveTypicalAccuracyAndBayesianUncertainties) {
  simulate_ivim(0.01);
  auto const config = write_config("bayesian.yaml", voxflow::testing::ivim_contract_with_method("bayesian"));
  ASSERT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
  auto const d = io::read_nifti(output_ending("_D.nii.gz")),
             truth = io::read_nifti((dir_ / "truth_D.nii.gz").string());
  auto const sd = io::read_nifti(output_ending("_Dsd.nii.gz")),
             mask = io::read_nifti((dir_ / "mask.nii.gz").string());
  // Most voxels' D lies within three posterior SDs of the truth: the SDs have the right scale.
  int inside = 0, total = 0;
  for (std::size_t i = 0; i < mask.data.size(); ++i) {
    if (mask.data[i] <= 0) continue;
    ++total;
    inside += std::fabs(d.data[i] - truth.data[i]) <= 3.0 * sd.data[i] ? 1 : 0;
  }
  EXPECT_GT(inside, 0.9 * total);
  nlohmann::json sidecar = nlohmann::json::parse(read_file(output_ending("_desc-bayesian_f.json")));
  EXPECT_NEAR(sidecar["NoiseSD"].get<double>(), 0.01 / std::sqrt(3.0),
              0.004);  // b > 0: 3 directions averaged
}

TEST_F(IvimEndToEnd, BadBValueInputsAreOneClearInputError) {
  simulate_ivim(0.0);
  auto const config = write_config("contract.yaml", voxflow::testing::ivim_contract_yaml);
  std::string const good = read_file(dir_ / "dwi.bval");
  struct Case {
    std::string bval, expected;
  } const cases[] = {
      {"0 10 20 30\n", "dwi.bval"},  // fewer b-values than volumes
      {good.substr(2), "dwi.bval"},  // one b-value missing
      {"abc def\n", "numbers"},      // unreadable
  };
  for (auto const& c : cases) {
    std::ofstream(dir_ / "dwi.bval") << c.bval;
    EXPECT_EQ(voxflow({"run", "--quiet", config}), static_cast<int>(ExitCode::input)) << c.bval;
    EXPECT_NE(err().find(c.expected), std::string::npos) << err();
    EXPECT_NE(err().find("dwi.bval"), std::string::npos) << err();
    EXPECT_FALSE(fs::exists(dir_ / "out" / "sub-01")) << c.bval;
  }
  // No b = 0 volume: the b = 0 entries shifted to 5.
  std::string no_b0 = good;
  for (std::size_t i = 0; i < no_b0.size(); ++i)
    if (no_b0[i] == '0' && (i == 0 || no_b0[i - 1] == ' ') &&
        (i + 1 == no_b0.size() || !std::isdigit(no_b0[i + 1])))
      no_b0[i] = '5';
  std::ofstream(dir_ / "dwi.bval") << no_b0;
  EXPECT_EQ(voxflow({"run", "--quiet", config}), static_cast<int>(ExitCode::input)) << no_b0;
  EXPECT_NE(err().find("b = 0"), std::string::npos) << err();
  fs::remove(dir_ / "dwi.bval");
  EXPECT_EQ(voxflow({"run", "--quiet", config}), static_cast<int>(ExitCode::input));
  EXPECT_NE(err().find("dwi.bval"), std::string::npos) << err();
  // A .bvec with the wrong number of components.
  std::ofstream(dir_ / "dwi.bval") << good;
  std::ofstream(dir_ / "bad.bvec") << "1 0 0\n";
  auto const with_bvec = write_config("bvec.yaml", std::string(voxflow::testing::ivim_contract_yaml) + "");
  std::string yaml = read_file(with_bvec);
  yaml.replace(yaml.find("  mask:"), 0, "  bvecs: bad.bvec\n");
  std::ofstream(with_bvec) << yaml;
  EXPECT_EQ(voxflow({"run", "--quiet", with_bvec}), static_cast<int>(ExitCode::input));
  EXPECT_NE(err().find("bad.bvec"), std::string::npos) << err();
}

TEST_F(IvimEndToEnd, InconsistentFitKeysAreConfigurationErrors) {
  simulate_ivim(0.0);
  std::string const contract = voxflow::testing::ivim_contract_yaml;
  struct Case {
    std::string from, to, key;
  } const cases[] = {
      {"  b_threshold: 200\n", "  b_threshold: 200\n  bounds:\n    D: [0.005, 0.001]\n", "fit.bounds.D"},
      {"  b_threshold: 200\n", "  b_threshold: 200\n  bounds:\n    S0: [1.1, 2.0]\n", "fit.bounds.S0"},
      {"  b_threshold: 200\n", "  b_threshold: 200\n  bounds:\n    f: [0.0, 1.5]\n", "fit.bounds.f"},
      {"method: segmented", "method: biexp", "fit.method"},
      {"  dwi: dwi.nii.gz", "  # no dwi", "inputs.dwi"},
  };
  for (auto const& c : cases) {
    std::string yaml = contract;
    yaml.replace(yaml.find(c.from), c.from.size(), c.to);
    auto const config = write_config("bad.yaml", yaml);
    EXPECT_EQ(voxflow({"run", "--quiet", config}), static_cast<int>(ExitCode::config)) << yaml;
    EXPECT_NE(err().find(c.key), std::string::npos) << err();
  }
  // A threshold that leaves fewer than two b-values for the tissue step is a protocol mismatch.
  std::string yaml = contract;
  yaml.replace(yaml.find("b_threshold: 200"), 16, "b_threshold: 700");
  EXPECT_EQ(voxflow({"run", "--quiet", write_config("high.yaml", yaml)}), static_cast<int>(ExitCode::input));
  EXPECT_NE(err().find("b_threshold"), std::string::npos) << err();
}

TEST_F(IvimEndToEnd, TheSimulatorsConfigurationAveragesDirectionsAndRuns) {
  ASSERT_EQ(voxflow({"simulate", "ivim", "--out", dir_.string(), "--matrix", "6,5,2", "--noise", "0"}), 0)
      << err();
  for (auto const* file :
       {"dwi.nii.gz", "dwi.bval", "dwi.bvec", "mask.nii.gz", "truth_D.nii.gz", "config.yaml"})
    EXPECT_TRUE(fs::exists(dir_ / file)) << file;
  ASSERT_EQ(voxflow({"run", "--quiet", (dir_ / "config.yaml").string()}), 0) << err();
  auto const shells = read_file(output_ending("_shells.tsv"));
  EXPECT_NE(shells.find("\n0\t1\n"), std::string::npos) << shells;
  EXPECT_NE(shells.find("\n800\t3\n"), std::string::npos) << shells;
  ASSERT_EQ(voxflow({"dump-defaults", "ivim"}), 0) << err();
  auto const defaults = read_file(dir_ / "run.out");
  for (auto const* key : {"b_threshold: 200", "method: segmented", "bvals:", "noise: global"})
    EXPECT_NE(defaults.find(key), std::string::npos) << key << "\n" << defaults;
}

TEST_F(IvimEndToEnd, ABidsDwiFolderIsFound) {
  simulate_ivim(0.0);
  fs::create_directories(dir_ / "bids/sub-01/dwi");
  for (auto const* ext : {".nii.gz", ".bval", ".bvec"})
    fs::copy_file(dir_ / (std::string("dwi") + ext),
                  dir_ / "bids/sub-01/dwi" / (std::string("sub-01_dwi") + ext));
  auto const config =
      write_config("bids.yaml",
                   "modality: ivim\nsubject: sub-01\ninputs:\n  bids: bids\n  mask: mask.nii.gz\n"
                   "fit:\n  method: full\noutput:\n  dir: out\n");
  ASSERT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
  EXPECT_LT(worst_error(output_ending("_D.nii.gz"), "truth_D.nii.gz"), 1e-6);
}

// The Bayesian method's subject-wide noise is gathered over all voxels before any fit: the maps do not depend
// on how the voxels fall into chunks.
TEST_F(IvimEndToEnd, BayesianMapsDoNotDependOnTheChunkSize) {
  simulate_ivim(0.01);
  auto const config = write_config("bayesian.yaml", voxflow::testing::ivim_contract_with_method("bayesian"));
  std::vector<std::vector<double>> maps;
  for (std::int64_t chunk : {std::int64_t{1} << 18, std::int64_t{7}}) {
    pipeline::Overrides overrides;
    overrides.output_dir = (dir_ / ("out" + std::to_string(chunk))).string();
    pipeline::RunOptions options;
    options.quiet = true;
    options.chunk_voxels = chunk;
    pipeline::run_subject(config, overrides, options);
    for (auto const* map : {"D", "Dsd", "f"})
      maps.push_back(
          io::read_nifti(*overrides.output_dir + "/sub-01/dwi/sub-01_desc-bayesian_" + map + ".nii.gz").data);
  }
  for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(maps[k], maps[k + 3]) << k;
}

// A DICOM series whose files carry their b-values needs no .bval file.
TEST_F(IvimEndToEnd, ADicomSeriesBringsItsOwnBValues) {
  pipeline::ivim_run::IvimSimulation sim;
  sim.out_dir = dir_.string();
  sim.matrix = {6, 5, 2};
  sim.noise = 0.0;
  sim.directions = 1;
  pipeline::ivim_run::simulate_ivim(sim);
  auto const dwi = io::read_nifti((dir_ / "dwi.nii.gz").string());
  io::SyntheticDicomSpec spec;
  spec.columns = sim.matrix[0];
  spec.rows = sim.matrix[1];
  spec.slices = sim.matrix[2];
  spec.time_points = static_cast<int>(sim.b_values.size());
  spec.orientation = {-1, 0, 0, 0, -1, 0};
  spec.pixel_spacing = {2.0, 2.0};
  spec.slice_spacing = 4.0;
  spec.first_position = {0.0, 0.0, 0.0};
  spec.b_values = sim.b_values;
  spec.rescale_slope = 1000.0 / 30000.0;
  for (double v : dwi.data)
    spec.stored_values.push_back(static_cast<int>(std::lround(v / spec.rescale_slope)));
  io::write_synthetic_dicom_series((dir_ / "dicom").string(), spec);
  auto const config = write_config("dicom.yaml",
                                   "modality: ivim\nsubject: sub-01\ninputs:\n  dwi: dicom\n"
                                   "fit:\n  method: full\noutput:\n  dir: out\n");
  ASSERT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
  auto const d = io::read_nifti(output_ending("_D.nii.gz")),
             truth = io::read_nifti((dir_ / "truth_D.nii.gz").string());
  ASSERT_EQ(d.data.size(), truth.data.size());
  for (std::size_t i = 0; i < d.data.size(); ++i) EXPECT_NEAR(d.data[i], truth.data[i], 2e-5) << i;
}

}  // namespace
