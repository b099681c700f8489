// Run configurations: the public contract is accepted exactly as written, defaults fill the rest, every path
// is resolved against the configuration file once, every choice is parsed into its enum once, and every
// mistake (unknown or duplicate keys, null sections, values of the wrong type or out of range) is a
// ConfigError naming the file and the key.
#include "contract_config.hpp"
#include "pipeline/dce/dce_settings.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/modality_registry.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using voxflow::pipeline::read_run_config;
using voxflow::pipeline::dce_run::AifSource;
using voxflow::pipeline::dce_run::read_dce_settings;

namespace {

using voxflow::testing::contract_yaml;
constexpr char const* contract = contract_yaml;

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("voxflow-config-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "study");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(std::string const& text, std::string const& name = "run.yaml") {
    auto const path = (dir_ / "study" / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::string study(std::string const& name) const { return (dir_ / "study" / name).string(); }
  // The message of the ConfigError that reading `text` (configuration and DCE keys) throws, or "".
  std::string error_of(std::string const& text) {
    try {
      read_dce_settings(read_run_config(write(text)));
    } catch (voxflow::ConfigError const& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(ConfigFiles, TheContractIsAcceptedAsWritten) {
  auto const config = read_run_config(write(contract));
  auto const c = read_dce_settings(config);
  EXPECT_EQ(config.modality(), "dce");
  EXPECT_EQ(config.settings().subject, "01");
  EXPECT_EQ(c.inputs.concentration, study("conc.nii.gz"));
  EXPECT_EQ(c.inputs.timing, study("time.txt"));
  EXPECT_EQ(c.inputs.mask, study("mask.nii.gz"));
  EXPECT_EQ(config.settings().output.dir, study("out"));
  EXPECT_EQ(c.aif.source, AifSource::population);
  EXPECT_EQ(c.aif.model, voxflow::aif::PopulationAif::parker);
  EXPECT_DOUBLE_EQ(c.aif.hematocrit, 0.42);
  EXPECT_DOUBLE_EQ(c.aif.delay_s, 0.0);
  EXPECT_EQ(c.fit.model, voxflow::dce::DceModel::extended_tofts);
  EXPECT_FALSE(c.fit.fit_delay);
  EXPECT_EQ(c.fit.lm.max_iterations, 100);
  EXPECT_EQ(config.settings().backend, voxflow::Backend::automatic);
  EXPECT_NE(config.resolved_yaml().find(study("conc.nii.gz")), std::string::npos);
}

TEST_F(ConfigFiles, CommandLineOverridesWin) {
  voxflow::pipeline::Overrides o;
  o.backend = "serial";
  o.output_dir = "/tmp/elsewhere";
  o.threads = 2;
  o.overwrite = true;
  auto const config = read_run_config(write(std::string(contract) + "threads: 1\n"), o);
  EXPECT_EQ(config.settings().backend, voxflow::Backend::serial);
  EXPECT_EQ(config.settings().output.dir, "/tmp/elsewhere");
  EXPECT_EQ(config.settings().threads, 2);
  EXPECT_TRUE(config.settings().output.overwrite);
}

TEST_F(ConfigFiles, UnknownKeysAreErrorsWithASuggestion) {
  std::string text = contract;
  text.replace(text.find("  model: extended_tofts"), 22, "  modle: extended_tofts");
  auto const message = error_of(text);
  EXPECT_NE(message.find("fit.modle"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'model'"), std::string::npos) << message;
  EXPECT_NE(message.find("run.yaml"), std::string::npos) << message;
}

TEST_F(ConfigFiles, BadValuesNameTheKeyAndTheChoices) {
  std::string text = contract;
  text.replace(text.find("extended_tofts"), 14, "extended_toft");
  auto message = error_of(text);
  EXPECT_NE(message.find("fit.model"), std::string::npos) << message;
  EXPECT_NE(message.find("2cxm"), std::string::npos) << message;

  message = error_of(std::string(contract) + "threads: many\n");
  EXPECT_NE(message.find("threads"), std::string::npos) << message;

  text = contract;
  text.replace(text.find("source: population"), 18, "source: somewhere");
  EXPECT_NE(error_of(text).find("aif.source"), std::string::npos);

  EXPECT_NE(error_of("modality: dce\ninputs: [1, 2\n").find("valid YAML"), std::string::npos);
  EXPECT_NE(error_of("modality: dce\n").find("inputs"), std::string::npos);
  EXPECT_NE(error_of(std::string(contract) + "acquisition:\n  relaxivity: .nan\n").find("finite"),
            std::string::npos);
  EXPECT_NE(error_of("modality: pet\n").find("one of dce"), std::string::npos);
}

TEST_F(ConfigFiles, AKeyWrittenTwiceIsAnErrorNamingBothLines) {
  std::string const text_with_two = std::string(contract) + "backend: serial\n";
  auto line_of = [&](std::string const& needle, std::size_t from = 0) {
    auto const at = text_with_two.find(needle, from);
    return "line " + std::to_string(std::count(text_with_two.begin(), text_with_two.begin() + at, '\n') + 1);
  };
  auto const message = error_of(text_with_two);
  EXPECT_NE(message.find("backend"), std::string::npos) << message;
  EXPECT_NE(message.find(line_of("backend: auto")), std::string::npos) << message;
  EXPECT_NE(message.find(line_of("backend: serial")), std::string::npos) << message;
  std::string text = contract;
  text.replace(text.find("  model: parker"), 15, "  model: parker\n  model: weinmann");
  EXPECT_NE(error_of(text).find("aif.model"), std::string::npos);
}

TEST_F(ConfigFiles, WholeNumbersOutOfRangeAreErrorsNotWrappedAround) {
  // Iteration counts are stored as 16-bit numbers: 4294967297 once ran with 1 iteration.
  std::string text = contract;
  text.replace(text.find("  model: extended_tofts"), 23,
               "  model: extended_tofts\n  max_iterations: 4294967297");
  auto const message = error_of(text);
  EXPECT_NE(message.find("fit.max_iterations"), std::string::npos) << message;
  EXPECT_NE(message.find("65535"), std::string::npos) << message;
  text.replace(text.find("4294967297"), 10, "0");
  EXPECT_NE(error_of(text).find("fit.max_iterations"), std::string::npos);
  text.replace(text.find("max_iterations: 0"), 17, "max_iterations: 2.5");
  EXPECT_NE(error_of(text).find("a whole number"), std::string::npos);
  EXPECT_NE(error_of(std::string(contract) + "threads: -1\n").find("threads"), std::string::npos);
  EXPECT_NE(error_of(std::string(contract) + "threads: 99999999999999999999\n").find("threads"),
            std::string::npos);
}

TEST_F(ConfigFiles, ASectionWithoutKeysIsAnError) {
  std::string text = contract;
  text.replace(text.find("aif:\n  source: population\n  model: parker\n"), 42, "aif:\n");
  auto const message = error_of(text);
  EXPECT_NE(message.find("aif"), std::string::npos) << message;
  EXPECT_NE(message.find("found nothing"), std::string::npos) << message;
  EXPECT_NE(error_of(std::string(contract) + "acquisition: 5\n").find("acquisition"), std::string::npos);
}

TEST_F(ConfigFiles, EveryPathIsResolvedAgainstTheConfigurationFileAndSavedAbsolute) {
  std::ofstream(study("angles.txt")) << "2 5 10\n";
  auto const config = read_run_config(write(
      "modality: dce\ninputs:\n  signal: sig.nii.gz\n  vfa: [vfa/a.nii.gz, vfa/b.nii.gz, vfa/c.nii.gz]\n"
      "  timing: time.txt\nacquisition:\n  flip_angle_deg: 15\n  repetition_time_s: 0.005\n"
      "  vfa_flip_angles_deg: angles.txt\n  vfa_repetition_time_s: 0.005\noutput:\n  dir: ../out\n"));
  auto const c = read_dce_settings(config);
  ASSERT_EQ(c.inputs.vfa.size(), 3u);
  EXPECT_EQ(c.inputs.vfa[1], study("vfa/b.nii.gz"));
  EXPECT_EQ(c.acquisition.vfa_flip_angles_deg, (std::vector<double>{2, 5, 10}));
  EXPECT_EQ(config.settings().output.dir, (dir_ / "out").string());
  // The saved copy names every file absolutely, so it reads back the same from anywhere.
  auto const& resolved = config.resolved_yaml();
  for (auto const& p :
       {study("vfa/a.nii.gz"), study("angles.txt"), study("sig.nii.gz"), (dir_ / "out").string()})
    EXPECT_NE(resolved.find(p), std::string::npos) << p << "\n" << resolved;
  fs::create_directories(dir_ / "elsewhere");
  std::string const copy = (dir_ / "elsewhere" / "saved.yaml").string();
  std::ofstream(copy) << resolved;
  auto const again = read_run_config(copy);
  EXPECT_EQ(again.resolved_yaml(), resolved);
  auto const c2 = read_dce_settings(again);
  EXPECT_EQ(c2.inputs.vfa, c.inputs.vfa);
  EXPECT_EQ(c2.acquisition.vfa_flip_angles_deg, c.acquisition.vfa_flip_angles_deg);
}

TEST_F(ConfigFiles, EveryChoiceIsParsedIntoItsEnum) {
  for (auto const& [model, name] : voxflow::dce::dce_model_names) {
    std::string text = contract;
    text.replace(text.find("extended_tofts"), 14, name);
    EXPECT_EQ(read_dce_settings(read_run_config(write(text))).fit.model, model) << name;
  }
  for (auto const& [source, name] : voxflow::pipeline::dce_run::aif_source_names) {
    std::string text = contract;
    text.replace(text.find("source: population"), 18,
                 std::string("source: ") + name + "\n  mask: aif.nii.gz");
    EXPECT_EQ(read_dce_settings(read_run_config(write(text))).aif.source, source) << name;
  }
  for (auto const& [kind, name] : voxflow::aif::population_aif_names) {
    std::string text = contract;
    text.replace(text.find("model: parker"), 13, std::string("model: ") + name);
    EXPECT_EQ(read_dce_settings(read_run_config(write(text))).aif.model, kind) << name;
  }
  for (auto const& [method, name] : voxflow::t1::t1_method_names) {
    auto const text = std::string(contract) + "t1_mapping:\n  method: " + name + "\n";
    EXPECT_EQ(read_dce_settings(read_run_config(write(text))).t1_method, method) << name;
  }
  for (auto const& [backend, name] : voxflow::backend_names) {
    std::string text = contract;
    text.replace(text.find("backend: auto"), 13, std::string("backend: ") + name);
    EXPECT_EQ(read_run_config(write(text)).settings().backend, backend) << name;
  }
  std::string text = contract;
  text.replace(text.find("  model: extended_tofts"), 23, "  model: tofts\n  convolution: osipy_compatible");
  EXPECT_EQ(read_dce_settings(read_run_config(write(text))).fit.convolution,
            voxflow::dce::ToftsConvolution::osipy_compatible);
  // Case does not matter; the saved copy spells the choice as declared.
  text = contract;
  text.replace(text.find("model: parker"), 13, "model: Parker");
  auto const config = read_run_config(write(text));
  EXPECT_EQ(read_dce_settings(config).aif.model, voxflow::aif::PopulationAif::parker);
  EXPECT_NE(config.resolved_yaml().find("model: parker"), std::string::npos);
}

TEST_F(ConfigFiles, SignalInputsNeedAT1Source) {
  // Flip angle and TR may come from a DICOM series, so they are checked with the inputs (see the end-to-end
  // tests).
  std::string text = contract;
  text.replace(text.find("concentration: conc.nii.gz"), 26, "signal: signal.nii.gz");
  text += "acquisition:\n  flip_angle_deg: 15\n  repetition_time_s: 0.005\n";
  EXPECT_NE(error_of(text).find("T1 source"), std::string::npos);
  text += "  t1_assumed_s: 1.4\n";
  EXPECT_EQ(error_of(text), "");
}

TEST_F(ConfigFiles, AFileTooLargeToBeAConfigurationIsRefusedWithoutReadingIt) {
  std::string big(std::size_t(5) << 20, '#');
  auto const message = error_of(std::string(contract) + big);
  EXPECT_NE(message.find("at most 4 MiB"), std::string::npos) << message.substr(0, 200);
  EXPECT_LT(message.size(), 400u);
}

}  // namespace

TEST(ConfigSchema, TheDefaultsDocumentOfEveryModalityMeansWhatAnEmptyConfigurationMeans) {
  auto const dir = fs::temp_directory_path() / ("voxflow-defaults-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (auto const* m : voxflow::pipeline::modalities()) {
    std::ofstream(dir / "defaults.yaml") << m->schema().document();
    std::ofstream(dir / "empty.yaml") << "modality: " << m->name() << "\n";
    auto const defaults = read_run_config((dir / "defaults.yaml").string());
    EXPECT_EQ(defaults.modality(), m->name());
    EXPECT_EQ(defaults.resolved_yaml(), read_run_config((dir / "empty.yaml").string()).resolved_yaml());
  }
  fs::remove_all(dir);
  EXPECT_THROW(voxflow::pipeline::find_modality("pet"), voxflow::ConfigError);
  EXPECT_EQ(voxflow::pipeline::did_you_mean("modle", {"model", "mask", "delay_s"}), "model");
  EXPECT_EQ(voxflow::pipeline::did_you_mean("zzzzzz", {"model", "mask"}), "");
}
