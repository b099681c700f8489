// measured_aif: the mean curve of the masked voxels, with non-finite voxels excluded and counted.
#include "aif_test_helpers.hpp"
#include "execution_spaces.hpp"

#include <voxflow/aif/measured_aif.hpp>
#include <voxflow/core/errors.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

template <class ExecutionSpace>
voxflow::Series<typename ExecutionSpace::memory_space> series_on(
    std::vector<std::vector<double>> const& rows) {
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> host("test::series", rows.size(),
                                                                      rows[0].size());
  for (std::size_t v = 0; v < rows.size(); ++v)
    for (std::size_t j = 0; j < rows[v].size(); ++j) host(v, j) = rows[v][j];
  return voxflow::upload_series<typename ExecutionSpace::memory_space>(host, "test::series");
}

// 50 voxels x 7 frames: voxel v has curve (v + 1) * (j + 1); mask every third voxel.
std::vector<std::vector<double>> ramp_rows() {
  std::vector<std::vector<double>> rows(50, std::vector<double>(7));
  for (std::size_t v = 0; v < rows.size(); ++v)
    for (std::size_t j = 0; j < rows[v].size(); ++j) rows[v][j] = (v + 1.0) * (j + 1.0);
  return rows;
}

template <class ExecutionSpace>
class MeasuredAif : public ::testing::Test {};
TYPED_TEST_SUITE(MeasuredAif, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(MeasuredAif, MeanOfTheMaskedVoxelsWithNonFiniteOnesExcluded) {
  using Mem = typename TypeParam::memory_space;
  auto rows = ramp_rows();
  std::vector<std::uint8_t> mask(rows.size(), 0);
  for (std::size_t v = 0; v < rows.size(); v += 3) mask[v] = 1;
  rows[9][4] = NAN;        // masked: excluded and counted
  rows[12][0] = INFINITY;  // masked: excluded and counted
  rows[13][2] = NAN;       // not masked: irrelevant
  auto const data = series_on<TypeParam>(rows);
  auto const m = voxflow::testing::mask_to_device<TypeParam>(mask);
  Kokkos::View<double*, Mem> out("out", 7);
  auto const result = voxflow::aif::measured_aif(TypeParam(), data, m, out);
  EXPECT_EQ(result.voxels_used, 15u);
  EXPECT_EQ(result.non_finite_excluded, 2u);
  double voxel_sum = 0.0;  // mean of (v + 1) over the used voxels
  for (std::size_t v = 0; v < rows.size(); v += 3)
    if (v != 9 && v != 12) voxel_sum += v + 1.0;
  auto const curve = voxflow::testing::to_host(out);
  for (std::size_t j = 0; j < curve.size(); ++j) EXPECT_NEAR(curve[j], voxel_sum / 15.0 * (j + 1.0), 1e-12);
}

TYPED_TEST(MeasuredAif, EmptyOrAllNonFiniteMaskIsAnInputError) {
  using Mem = typename TypeParam::memory_space;
  auto rows = ramp_rows();
  rows[4][3] = NAN;
  auto const data = series_on<TypeParam>(rows);
  Kokkos::View<double*, Mem> out("out", 7);
  std::vector<std::uint8_t> mask(rows.size(), 0);
  auto const none = voxflow::testing::mask_to_device<TypeParam>(mask);
  EXPECT_THROW(voxflow::aif::measured_aif(TypeParam(), data, none, out), voxflow::InputError);
  mask[4] = 1;  // only a non-finite voxel
  auto const bad_only = voxflow::testing::mask_to_device<TypeParam>(mask);
  try {
    voxflow::aif::measured_aif(TypeParam(), data, bad_only, out);
    ADD_FAILURE() << "expected an InputError";
  } catch (voxflow::InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("aif_mask"), std::string::npos) << e.what();
  }
  std::vector<std::uint8_t> short_mask(rows.size() - 1, 1);
  auto const wrong_length = voxflow::testing::mask_to_device<TypeParam>(short_mask);
  EXPECT_THROW(voxflow::aif::measured_aif(TypeParam(), data, wrong_length, out), voxflow::InputError);
  Kokkos::View<double*, Mem> short_out("out", 6);
  mask[5] = 1;
  EXPECT_THROW(voxflow::aif::measured_aif(TypeParam(), data,
                                          voxflow::testing::mask_to_device<TypeParam>(mask), short_out),
               voxflow::InputError);
}

}  // namespace
