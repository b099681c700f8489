// DCE run configurations: the public contract is accepted exactly as written, defaults fill the rest,
// relative paths are relative to the configuration file, and every mistake is a ConfigError naming the file
// and the key.
#include "contract_config.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/config_reader.hpp>
#include <voxflow/pipeline/config_schema.hpp>
#include <voxflow/pipeline/dce_config.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using voxflow::pipeline::load_dce_config;

namespace {

using voxflow::testing::contract_yaml;
constexpr char const* contract = contract_yaml;

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("voxflow-config-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "study");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(std::string const& text) {
    auto const path = (dir_ / "study" / "run.yaml").string();
    std::ofstream(path) << text;
    return path;
  }
  std::string error_of(std::string const& text) {
    try {
      load_dce_config(write(text));
    } catch (voxflow::ConfigError const& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(ConfigFiles, TheContractIsAcceptedAsWritten) {
  auto const c = load_dce_config(write(contract));
  EXPECT_EQ(c.subject, "01");
  EXPECT_EQ(c.inputs.concentration, (dir_ / "study" / "conc.nii.gz").string());
  EXPECT_EQ(c.inputs.timing, (dir_ / "study" / "time.txt").string());
  EXPECT_EQ(c.inputs.mask, (dir_ / "study" / "mask.nii.gz").string());
  EXPECT_EQ(c.output.dir, (dir_ / "study" / "out").string());
  EXPECT_EQ(c.aif.source, voxflow::pipeline::AifSource::population);
  EXPECT_EQ(c.aif.model, "parker");
  EXPECT_DOUBLE_EQ(c.aif.hematocrit, 0.42);
  EXPECT_DOUBLE_EQ(c.aif.delay_s, 0.0);
  EXPECT_EQ(c.fit.model, voxflow::dce::DceModel::extended_tofts);
  EXPECT_FALSE(c.fit.fit_delay);
  EXPECT_EQ(c.backend, voxflow::Backend::automatic);
  EXPECT_NE(c.resolved_yaml.find((dir_ / "study" / "conc.nii.gz").string()), std::string::npos);
}

TEST_F(ConfigFiles, CommandLineOverridesWin) {
  voxflow::pipeline::Overrides o;
  o.backend = "serial";
  o.output_dir = "/tmp/elsewhere";
  o.threads = 2;
  auto const c = load_dce_config(write(contract), o);
  EXPECT_EQ(c.backend, voxflow::Backend::serial);
  EXPECT_EQ(c.output.dir, "/tmp/elsewhere");
  EXPECT_EQ(c.threads, 2);
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

}  // namespace

TEST(ConfigSchema, DefaultsAreValidYamlAndUnknownModalitiesAreNamed) {
  for (auto const& m : voxflow::pipeline::schema_modalities()) {
    voxflow::pipeline::ConfigReader const r(voxflow::pipeline::defaults_yaml(m), "defaults");
    EXPECT_EQ(r.text("modality").value_or(""), m);
  }
  EXPECT_THROW(voxflow::pipeline::defaults_yaml("pet"), voxflow::ConfigError);
  EXPECT_EQ(voxflow::pipeline::did_you_mean("modle", {"model", "mask", "delay_s"}), "model");
  EXPECT_EQ(voxflow::pipeline::did_you_mean("zzzzzz", {"model", "mask"}), "");
}
