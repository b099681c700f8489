// End to end through the voxflow executable: the ASL contract (single- and multi-PLD) on a subject voxflow's
// simulator wrote, maps on disk against the truth, and each bad input stopping the run with one clear error
// and the input-error exit code.
#include "asl_contract.hpp"
#include "child_process.hpp"
#include "pipeline/asl/asl_simulation.hpp"
#include "pipeline_test.hpp"

#include <voxflow/core/fit_status.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace voxflow;
using voxflow::testing::read_file;

namespace {

class AslEndToEnd : public voxflow::testing::PipelineTest {
 protected:
  // A noise-free simulated subject with the contract as its configuration; returns the configuration.
  std::string contract(std::string const& method = "multi_pld", pipeline::asl_run::AslSimulation sim = {}) {
    sim.out_dir = dir_.string();
    sim.matrix = {10, 9, 2};
    pipeline::asl_run::simulate_asl(sim);
    std::string yaml = voxflow::testing::asl_contract_yaml;
    yaml.replace(yaml.find("method: multi_pld"), 17, "method: " + method);
    auto const path = (dir_ / "config.yaml").string();
    std::ofstream(path) << yaml;
    return path;
  }
  int voxflow(std::vector<std::string> const& args) {
    voxflow::testing::ChildProcess child(VOXFLOW_CLI, args, (dir_ / "run.err").string(),
                                         (dir_ / "run.out").string());
    return voxflow::testing::exit_code_of(child.wait());
  }
  std::string err() const { return read_file(dir_ / "run.err"); }
  // Largest relative error of a map against a truth map inside the mask.
  double worst_error(std::string const& fitted, std::string const& truth) const {
    auto const f = io::read_nifti(fitted), t = io::read_nifti((dir_ / truth).string()),
               m = io::read_nifti((dir_ / "mask.nii.gz").string());
    double worst = 0.0;
    for (std::size_t i = 0; i < m.data.size(); ++i)
      if (m.data[i] > 0) worst = std::max(worst, std::fabs(f.data[i] - t.data[i]) / std::fabs(t.data[i]));
    return worst;
  }
  // Rewrites an input file of the subject.
  void write(std::string const& name, std::string const& text) const { std::ofstream(dir_ / name) << text; }
};

TEST_F(AslEndToEnd, TheMultiPldContractRecoversCbfAndAtt) {
  auto const config = contract("multi_pld");
  ASSERT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
  auto const cbf = output_ending("_cbf.nii.gz"), att = output_ending("_att.nii.gz");
  EXPECT_LT(worst_error(cbf, "truth_cbf.nii.gz"), 1e-4);
  EXPECT_LT(worst_error(att, "truth_att.nii.gz"), 1e-4);
  EXPECT_LT(worst_error(output_ending("_M0map.nii.gz"), "truth_m0.nii.gz"), 1e-12);
  // The geometry of asl.nii.gz; units and every constant in the sidecars; the status map and R².
  auto const input = io::read_nifti_header((dir_ / "asl.nii.gz").string());
  for (auto const& map : {cbf, att}) {
    auto const header = io::read_nifti_header(map);
    EXPECT_TRUE(io::same_grid(input.geometry, {input.dims[0], input.dims[1], input.dims[2], 1},
                              header.geometry, header.dims));
  }
  auto const cbf_sidecar = nlohmann::json::parse(read_file(cbf.substr(0, cbf.size() - 7) + ".json"));
  auto const att_sidecar = nlohmann::json::parse(read_file(att.substr(0, att.size() - 7) + ".json"));
  EXPECT_EQ(cbf_sidecar["Units"], "mL/100 g/min");
  EXPECT_EQ(att_sidecar["Units"], "s");
  auto const& constants = cbf_sidecar["Constants"];
  EXPECT_EQ(constants["ArterialSpinLabelingType"], "PCASL");
  EXPECT_EQ(constants["BloodT1Seconds"], 1.65);
  EXPECT_EQ(constants["LabelingEfficiency"], 0.85);
  EXPECT_EQ(constants["PartitionCoefficientMLPerG"], 0.9);
  EXPECT_EQ(constants["LabelingDurationSeconds"], 1.8);
  EXPECT_EQ(constants["PostLabelingDelaysSeconds"].size(), 6u);
  auto const status = io::read_nifti(output_ending("_dseg.nii.gz"));
  auto const mask = io::read_nifti((dir_ / "mask.nii.gz").string());
  for (std::size_t i = 0; i < mask.data.size(); ++i)
    EXPECT_EQ(status.data[i], mask.data[i] > 0 ? 0.0 : static_cast<double>(FitStatus::masked_out));
  auto const r2 = io::read_nifti(output_ending("_rsquared.nii.gz"));
  for (std::size_t i = 0; i < mask.data.size(); ++i)
    if (mask.data[i] > 0) {
      EXPECT_GT(r2.data[i], 1.0 - 1e-9);
    }
}

TEST_F(AslEndToEnd, TheSinglePldContractUsesTheWhitePaperEquationAtTheLongestDelay) {
  // Every simulated ATT (<= 1.9 s) is below the last delay, 2 s; the inputs are float32 NIfTI (1e-5 relative
  // rounding of control - label).
  auto const config = contract("single_pld");
  ASSERT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
  EXPECT_LT(worst_error(output_ending("_cbf.nii.gz"), "truth_cbf.nii.gz"), 1e-4);
  // Both methods write the same maps; single-PLD measures no transit time, so its ATT map is NaN.
  auto const att = io::read_nifti(output_ending("_att.nii.gz"));
  auto const mask = io::read_nifti((dir_ / "mask.nii.gz").string());
  for (std::size_t i = 0; i < mask.data.size(); ++i)
    if (mask.data[i] > 0) {
      EXPECT_TRUE(std::isnan(att.data[i]));
    }
  auto const sidecar =
      nlohmann::json::parse(read_file(dir_ / "out/sub-01/perf/sub-01_desc-singlepld_cbf.json"));
  EXPECT_EQ(sidecar["SinglePLDDelaySeconds"], 2.0);
}

TEST_F(AslEndToEnd, AnM0BelowZeroInSingleVoxelsIsAStatusCodeAndIgnoredOutsideTheMask) {
  auto const config = contract();
  auto m0 = io::read_nifti((dir_ / "m0.nii.gz").string());
  auto const mask = io::read_nifti((dir_ / "mask.nii.gz").string());
  std::size_t victim = 0;
  while (mask.data[victim] <= 0) ++victim;
  m0.data[victim] = -1.0;  // outside the mask the simulated M0 is already 0
  io::write_nifti((dir_ / "m0.nii.gz").string(), m0.geometry, {m0.dims[0], m0.dims[1], m0.dims[2]}, m0.data);
  ASSERT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
  auto const status = io::read_nifti(output_ending("_dseg.nii.gz"));
  auto const cbf = io::read_nifti(output_ending("_cbf.nii.gz"));
  EXPECT_EQ(status.data[victim], static_cast<double>(FitStatus::invalid_m0));
  EXPECT_TRUE(std::isnan(cbf.data[victim]));
  std::size_t invalid = 0;
  for (double s : status.data) invalid += s == static_cast<double>(FitStatus::invalid_m0) ? 1 : 0;
  EXPECT_EQ(invalid, 1u);
}

TEST_F(AslEndToEnd, EachBadInputGivesOneClearErrorWithTheInputExitCode) {
  auto const config = contract();
  std::string const context = read_file(dir_ / "aslcontext.tsv"), plds = read_file(dir_ / "plds.txt");
  auto const m0 = io::read_nifti((dir_ / "m0.nii.gz").string());
  struct Case {
    std::string what, expected;
    std::function<void()> spoil, repair;
  };
  std::vector<Case> const cases{
      {"aslcontext shorter than the series", "one line per volume",
       [&] { write("aslcontext.tsv", context.substr(0, context.rfind("control"))); },
       [&] { write("aslcontext.tsv", context); }},
      {"no control volume", "at least one control volume",
       [&] {
         std::string labels = context;
         for (auto p = labels.find("control"); p != std::string::npos; p = labels.find("control"))
           labels.replace(p, 7, "label");
         write("aslcontext.tsv", labels);
       },
       [&] { write("aslcontext.tsv", context); }},
      {"fewer delays than volumes", "one post-labeling delay for the series or one per volume",
       [&] { write("plds.txt", plds.substr(0, plds.rfind('\n', plds.size() - 2) + 1)); },
       [&] { write("plds.txt", plds); }},
      {"M0 <= 0 in every voxel of the mask", "an M0 > 0 in at least one voxel",
       [&] {
         io::write_nifti((dir_ / "m0.nii.gz").string(), m0.geometry, {m0.dims[0], m0.dims[1], m0.dims[2]},
                         std::vector<double>(m0.data.size(), 0.0));
       },
       [&] {
         io::write_nifti((dir_ / "m0.nii.gz").string(), m0.geometry, {m0.dims[0], m0.dims[1], m0.dims[2]},
                         m0.data);
       }},
  };
  for (auto const& c : cases) {
    c.spoil();
    EXPECT_EQ(voxflow({"run", "--quiet", config}), static_cast<int>(ExitCode::input))
        << c.what << ": " << err();
    EXPECT_NE(err().find(c.expected), std::string::npos) << c.what << ": " << err();
    EXPECT_FALSE(fs::exists(dir_ / "out/sub-01/perf/sub-01_desc-multipld_run.json")) << c.what;
    c.repair();
  }
  EXPECT_EQ(voxflow({"run", "--quiet", config}), 0) << err();
}

TEST_F(AslEndToEnd, ABidsDatasetAndItsSidecarSupplyWhatTheConfigurationLeavesOut) {
  contract();
  // A BIDS perf folder with a sidecar holding one delay per volume; the configuration names the dataset only.
  fs::path const perf = dir_ / "bids/sub-02/perf";
  fs::create_directories(perf);
  fs::copy_file(dir_ / "asl.nii.gz", perf / "sub-02_acq-pcasl_asl.nii.gz");
  fs::copy_file(dir_ / "aslcontext.tsv", perf / "sub-02_acq-pcasl_aslcontext.tsv");
  fs::copy_file(dir_ / "m0.nii.gz", perf / "sub-02_acq-pcasl_m0scan.nii.gz");
  nlohmann::json sidecar = {{"ArterialSpinLabelingType", "PCASL"},
                            {"LabelingDuration", 1.8},
                            {"M0Type", "Separate"},
                            {"BackgroundSuppression", false}};
  std::ifstream in(dir_ / "plds.txt");
  for (double v; in >> v;) sidecar["PostLabelingDelay"].push_back(v);
  std::ofstream(perf / "sub-02_acq-pcasl_asl.json") << sidecar.dump();
  write("bids.yaml",
        "modality: asl\nsubject: sub-02\ninputs:\n  bids: bids\n  mask: mask.nii.gz\n"
        "output:\n  dir: out\n");
  ASSERT_EQ(voxflow({"run", "--quiet", (dir_ / "bids.yaml").string()}), 0) << err();
  EXPECT_LT(worst_error(output_ending("_cbf.nii.gz"), "truth_cbf.nii.gz"), 1e-4);
  EXPECT_LT(worst_error(output_ending("_att.nii.gz"), "truth_att.nii.gz"), 1e-4);
  // The configuration wins over the sidecar: a different label duration is used and recorded.
  fs::remove_all(dir_ / "out");
  write("bids.yaml", read_file(dir_ / "bids.yaml") + "acquisition:\n  labeling_duration_s: 1.5\n");
  ASSERT_EQ(voxflow({"run", "--quiet", (dir_ / "bids.yaml").string()}), 0) << err();
  auto const cbf = output_ending("_cbf.nii.gz");
  auto const doc = nlohmann::json::parse(read_file(cbf.substr(0, cbf.size() - 7) + ".json"));
  EXPECT_EQ(doc["Constants"]["LabelingDurationSeconds"], 1.5);
  EXPECT_EQ(doc["ParameterSources"]["LabelingDuration"]["SidecarValue"], 1.8);
  // A subject the dataset does not have is named in the error.
  write("missing.yaml", "modality: asl\nsubject: sub-99\ninputs:\n  bids: bids\noutput:\n  dir: out\n");
  EXPECT_EQ(voxflow({"run", "--quiet", (dir_ / "missing.yaml").string()}), static_cast<int>(ExitCode::input));
  EXPECT_NE(err().find("sub-99"), std::string::npos) << err();
}

TEST_F(AslEndToEnd, DelaysAreANumberAListOrAFile) {
  auto const config = contract("single_pld");
  std::string yaml = read_file(config);
  // One delay per volume written in the configuration as a list.
  std::string list = "[";
  std::ifstream in(dir_ / "plds.txt");
  for (double v; in >> v;) list += (list.size() > 1 ? ", " : "") + std::to_string(v);
  list += "]";
  std::string listed = yaml;
  listed.replace(listed.find("plds.txt"), 8, list);
  write("list.yaml", listed);
  ASSERT_EQ(voxflow({"run", "--quiet", (dir_ / "list.yaml").string()}), 0) << err();
  EXPECT_LT(worst_error(output_ending("_cbf.nii.gz"), "truth_cbf.nii.gz"), 1e-4);
  // One number for every volume: single-PLD quantification at that delay (here wrong on purpose: the data
  // were acquired at six delays, so the CBF differs from the truth, but the run succeeds).
  fs::remove_all(dir_ / "out");
  std::string single = yaml;
  single.replace(single.find("plds.txt"), 8, "2.0");
  write("number.yaml", single);
  ASSERT_EQ(voxflow({"run", "--quiet", (dir_ / "number.yaml").string()}), 0) << err();
  // The multi-PLD method needs at least two delays.
  fs::remove_all(dir_ / "out");
  std::string multi = single;
  multi.replace(multi.find("method: single_pld"), 18, "method: multi_pld");
  write("multi.yaml", multi);
  EXPECT_EQ(voxflow({"run", "--quiet", (dir_ / "multi.yaml").string()}), static_cast<int>(ExitCode::input));
  EXPECT_NE(err().find("at least 2 distinct post-labeling delays"), std::string::npos) << err();
}

TEST_F(AslEndToEnd, SimulateAndDumpDefaultsKnowAsl) {
  EXPECT_EQ(voxflow({"dump-defaults", "asl"}), 0) << err();
  std::string const defaults = read_file(dir_ / "run.out");
  for (char const* key : {"post_labeling_delay_s", "labeling_type", "m0_tr_correction", "method: multi_pld",
                          "t1_blood_s: 1.65", "partition_coefficient: 0.9"})
    EXPECT_NE(defaults.find(key), std::string::npos) << key;
  auto const out = (dir_ / "sim").string();
  ASSERT_EQ(voxflow({"simulate", "asl", "--out", out, "--matrix", "6,5,2", "--noise", "0.01"}), 0) << err();
  ASSERT_EQ(voxflow({"run", "--quiet", out + "/config.yaml"}), 0) << err();
  EXPECT_TRUE(fs::exists(out + "/out/sub-01/perf/sub-01_desc-multipld_cbf.nii.gz"));
  EXPECT_EQ(voxflow({"simulate", "asl", "--out", out, "--method", "nope"}), 2);
}

}  // namespace
