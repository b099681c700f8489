// How a DCE subject's masked series is held (inputs.series_precision): float32 where the input's values are
// floats already, so that the maps do not change by a single byte, float64 otherwise, and float32 on request.
#include "pipeline_test.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/masked_volume.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using namespace voxflow;
using pipeline::SeriesPrecision;

namespace {

class SeriesPrecisionTest : public voxflow::testing::PipelineTest {
 protected:
  // `config` with inputs.series_precision set, writing to `out`; returns the new configuration's path.
  std::string with_precision(std::string const& config, std::string const& precision,
                             std::string const& out) const {
    // (No std::regex: GCC 12's <regex> trips -Wmaybe-uninitialized in the sanitizer build.)
    std::string text = voxflow::testing::read_file(config);
    auto const replace_once = [&text](std::string const& from, std::string const& to) {
      auto const at = text.find(from);
      ASSERT_NE(at, std::string::npos) << from;
      text.replace(at, from.size(), to);
    };
    replace_once("\ninputs:\n", "\ninputs:\n  series_precision: " + precision + "\n");
    replace_once("dir: out", "dir: " + out);
    fs::path const path = dir_ / (precision + ".yaml");
    std::ofstream(path) << text;
    return path.string();
  }

  // Every .nii.gz map under out/ and other/ equal byte for byte, and at least one compared.
  void expect_same_maps(std::string const& out, std::string const& other) const {
    int compared = 0;
    for (auto const& e : fs::recursive_directory_iterator(dir_ / out)) {
      if (e.path().string().find(".nii.gz") == std::string::npos) continue;
      auto const twin = dir_ / other / fs::relative(e.path(), dir_ / out);
      ASSERT_TRUE(fs::exists(twin)) << twin;
      EXPECT_EQ(voxflow::testing::read_file(e.path()), voxflow::testing::read_file(twin)) << e.path();
      ++compared;
    }
    EXPECT_GE(compared, 4);
  }
};

TEST_F(SeriesPrecisionTest, Float32InputsGiveTheSameMapsWhetherHeldInFloat32OrFloat64) {
  for (std::string const input : {"concentration", "signal"}) {
    SCOPED_TRACE(input);
    auto sim =
        input == "signal" ? voxflow::testing::clean_signal_simulation() : pipeline::dce_run::DceSimulation{};
    sim.noise = 0.02;
    auto const config = simulate(sim);
    auto const series = (dir_ / (input == "signal" ? "signal.nii.gz" : "conc.nii.gz")).string();
    ASSERT_EQ(io::read_nifti_header(series).datatype, static_cast<int>(io::NiftiDatatype::float32));
    // The automatic choice for float32 data is float32: the precision this test compares.
    auto const voxels = pipeline::select_voxels(nullptr, 10 * 8 * 2);
    ASSERT_TRUE(pipeline::read_series(series, voxels, SeriesPrecision::automatic).single_precision());
    run(with_precision(config, "auto", "out-" + input + "-auto"));
    run(with_precision(config, "float64", "out-" + input + "-float64"));
    expect_same_maps("out-" + input + "-auto", "out-" + input + "-float64");
  }
}

TEST_F(SeriesPrecisionTest, AutomaticKeepsFloat64WhereFloat32WouldRoundAndFloat32RoundsOnRequest) {
  auto const geometry = io::make_geometry({2.0, 2.0, 3.0}, 1.0);
  std::vector<double> values;
  for (int i = 0; i < 3 * 2 * 2 * 4; ++i) values.push_back(0.1 * i + 1e-9);  // none is a float32
  auto const path = (dir_ / "float64.nii.gz").string();
  io::NiftiWriteOptions float64;
  float64.datatype = io::NiftiDatatype::float64;
  io::write_nifti_4d(path, geometry, {3, 2, 2, 4}, values, float64);
  auto const voxels = pipeline::select_voxels(nullptr, 12);
  auto const kept = pipeline::read_series(path, voxels, SeriesPrecision::automatic);
  auto const rounded = pipeline::read_series(path, voxels, SeriesPrecision::float32);
  EXPECT_FALSE(kept.single_precision());
  EXPECT_TRUE(rounded.single_precision());
  ASSERT_EQ(kept.voxels(), 12u);
  ASSERT_EQ(kept.samples(), 4u);
  for (std::int64_t v = 0; v < 12; ++v)
    for (std::int64_t t = 0; t < 4; ++t) {
      double const stored = values[static_cast<std::size_t>(v + 12 * t)];
      EXPECT_EQ(kept(v, t), stored);
      EXPECT_EQ(rounded(v, t), static_cast<double>(static_cast<float>(stored)));
    }
}

TEST(SeriesPrecisionRule, OnlyUnscaledFloat32AndSixteenBitDataAreExactInFloat32) {
  io::NiftiHeaderInfo header;
  auto exact = [&](io::NiftiDatatype type, double slope, double inter) {
    header.datatype = static_cast<int>(type);
    header.scl_slope = slope;
    header.scl_inter = inter;
    return pipeline::values_exact_in_float32(header);
  };
  EXPECT_TRUE(exact(io::NiftiDatatype::float32, 1.0, 0.0));
  EXPECT_TRUE(exact(io::NiftiDatatype::float32, 0.0, 0.0));  // slope 0: no scaling
  EXPECT_TRUE(exact(io::NiftiDatatype::int16, 1.0, 0.0));
  EXPECT_TRUE(exact(io::NiftiDatatype::uint16, 1.0, 0.0));
  EXPECT_TRUE(exact(io::NiftiDatatype::uint8, 1.0, 0.0));
  EXPECT_FALSE(exact(io::NiftiDatatype::int16, 0.01, 0.0));  // raw * 0.01 is computed in double
  EXPECT_FALSE(exact(io::NiftiDatatype::float32, 1.0, 5.0));
  EXPECT_FALSE(exact(io::NiftiDatatype::float64, 1.0, 0.0));
  EXPECT_FALSE(exact(io::NiftiDatatype::int32, 1.0, 0.0));  // beyond 2^24
}

TEST_F(SeriesPrecisionTest, AnUnknownPrecisionIsAConfigurationError) {
  auto const config = with_precision(simulate(), "half", "out");
  try {
    run(config);
    FAIL() << "no error";
  } catch (ConfigError const& e) {
    std::string const message = e.what();
    EXPECT_NE(message.find("inputs.series_precision"), std::string::npos) << message;
    EXPECT_NE(message.find("float32"), std::string::npos) << message;
  }
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

}  // namespace
