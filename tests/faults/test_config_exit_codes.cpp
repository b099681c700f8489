// A wrong value of the configuration itself is a configuration error (exit 3), even when it is found only
// while the inputs are read: the number of VFA files against the configured flip angles (DCE), a configured
// echo time that is not positive (DSC). The same values from an input file's metadata stay input errors (4).
#include "cohort_contract.hpp"
#include "pipeline/dsc/dsc_simulation.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace {

using voxflow::testing::read_file;

class ConfigExitCodes : public voxflow::testing::CohortTest {
 protected:
  std::string replaced(std::string text, std::string const& from, std::string const& to) const {
    auto const at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }
};

TEST_F(ConfigExitCodes, VfaFilesThatDoNotMatchTheConfiguredFlipAnglesAreAConfigurationError) {
  auto sim = voxflow::testing::clean_signal_simulation();
  sim.input = "vfa";
  sim.matrix = {6, 4, 1};
  auto const config = read_file(simulate(sim));
  auto const two = write("two.yaml", replaced(config, "vfa: vfa.nii.gz", "vfa: [vfa.nii.gz, vfa.nii.gz]"));
  EXPECT_EQ(voxflow({"run", "--quiet", two}), 3) << err();
  EXPECT_NE(err().find("inputs.vfa"), std::string::npos) << err();
  EXPECT_NE(err().find("found 2"), std::string::npos) << err();
  EXPECT_NE(err().find(two), std::string::npos) << err();
}

TEST_F(ConfigExitCodes, AConfiguredEchoTimeThatIsNotPositiveIsAConfigurationError) {
  voxflow::pipeline::dsc_run::DscSimulation sim;
  sim.matrix = {6, 4, 1};
  sim.out_dir = dir_.string();
  auto const config = read_file(voxflow::pipeline::dsc_run::simulate_dsc(sim));
  for (char const* te : {"0", "-0.03", ".nan", ".inf"}) {
    auto const path =
        write("te.yaml", replaced(config, "echo_time_s: 0.03", std::string("echo_time_s: ") + te));
    EXPECT_EQ(voxflow({"run", "--quiet", path}, "te"), 3) << te << ": " << err("te");
    EXPECT_NE(err("te").find("acquisition.echo_time_s"), std::string::npos) << err("te");
    if (te[0] != '.') {  // .nan and .inf are refused on reading, as no finite number
      EXPECT_NE(err("te").find("positive echo time"), std::string::npos) << err("te");
    }
  }
  // Without one in the configuration, a bad EchoTime of the signal's sidecar is the input's fault.
  auto const none = write("none.yaml", replaced(config, "  echo_time_s: 0.03\n", ""));
  std::ofstream(dir_ / "dsc.json") << R"({"EchoTime": -1})";
  EXPECT_EQ(voxflow({"run", "--quiet", none}, "sidecar"), 4) << err("sidecar");
  EXPECT_NE(err("sidecar").find("dsc.json"), std::string::npos) << err("sidecar");
}

}  // namespace
