// What a configuration error may echo of the file: a short printable excerpt, never megabytes of raw bytes
// (a hostile or mistaken file used to come back whole in the message), and the size of what is read at all
// is bounded.
#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/modality_registry.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace voxflow;

namespace {

pipeline::ConfigSchema const& registered(std::string const& modality, std::string const& source) {
  return pipeline::find_modality(modality, source).schema();
}

// The message of the ConfigError that reading `text` as a cohort file gives.
std::string config_error_of(std::string const& text) {
  try {
    pipeline::parse_cohort_config(text, "/data/run.yaml", {}, registered);
  } catch (Error const& e) {
    EXPECT_EQ(e.code(), ExitCode::config) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted";
  return "";
}

void expect_short_and_printable(std::string const& message) {
  EXPECT_LT(message.size(), 600u) << message.substr(0, 600);
  for (char c : message)
    EXPECT_TRUE(c >= 0x20 && c < 0x7f)
        << "raw byte " << int(static_cast<unsigned char>(c)) << " in " << message.substr(0, 600);
}

std::string raw_bytes(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(0x80 + i % 100);  // UTF-8 continuation bytes
  return s;
}

}  // namespace

TEST(ConfigMessages, AnUnknownKeyOfRawBytesIsShownAsAShortExcerpt) {
  std::string const key = "k" + raw_bytes(100000);
  // An explicit key ("? "): YAML limits implicit keys to 1024 characters.
  std::string const m = config_error_of("modality: dce\n? \"" + key + "\"\n: 1\n");
  expect_short_and_printable(m);
  EXPECT_NE(m.find("100001 characters"), std::string::npos) << m;
}

TEST(ConfigMessages, AKeyOfACohortEntryIsShownAsAShortExcerpt) {
  std::string const m = config_error_of("modality: dce\nsubjects:\n  - id: sub-01\n    ? \"" +
                                        raw_bytes(5000) + "\"\n    : 1\n");
  EXPECT_NE(m.find("subjects[1]"), std::string::npos) << m;
  expect_short_and_printable(m);
}

TEST(ConfigMessages, AWrongValueIsShownAsAShortExcerpt) {
  std::string const m = config_error_of("modality: dce\nthreads: \"" + std::string(200000, '7') + "x\"\n");
  expect_short_and_printable(m);
  EXPECT_NE(m.find("threads"), std::string::npos) << m;
}

TEST(ConfigMessages, TextOverFourMebibytesIsRefusedBeforeParsing) {
  std::string const m = config_error_of("modality: dce\n#" + std::string(std::size_t{4} << 20, 'x') + "\n");
  EXPECT_NE(m.find("at most 4 MiB"), std::string::npos) << m;
}

// Nine levels of ten aliases: 600 bytes that a walk over the loaded tree visits 10^9 times.
TEST(ConfigMessages, AliasesExpandingBeyondWhatAFileCouldHoldAreRefusedWithoutExpandingThem) {
  std::string text = "modality: dce\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < 9; ++level) {
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *l" : "*l") + std::to_string(level - 1);
    text += "]\n";
  }
  std::string const m = config_error_of(text);
  EXPECT_NE(m.find("aliases (*name) expanded"), std::string::npos) << m;
}

TEST(ConfigMessages, AnAliasInsideItsOwnAnchorsValueIsRefused) {
  for (std::string const cycle : {"[*a]", "{b: *a}", "[1, {c: [*a]}]"}) {
    std::string const m = config_error_of("modality: dce\nlabel: &a " + cycle + "\n");
    EXPECT_NE(m.find("inside the value of its own anchor"), std::string::npos) << cycle << ": " << m;
  }
}

TEST(ConfigMessages, AliasesOfModestSizeAreRead) {
  pipeline::RunConfig const config = pipeline::parse_run_config(
      "modality: dce\nsubject: &id sub-01\ninputs:\n  concentration: c.nii.gz\n  timing: t.txt\n"
      "  mask: m.nii.gz\noutput: {dir: *id}\n",
      "/data/run.yaml", {}, registered);
  EXPECT_EQ(config.settings().subject, "01");
  EXPECT_EQ(config.settings().output.dir, "/data/sub-01");
}
