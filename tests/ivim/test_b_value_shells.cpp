// Grouping the volumes of a diffusion series into b-value shells and averaging them (the trace).
#include <voxflow/core/errors.hpp>
#include <voxflow/ivim/b_value_shells.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

using voxflow::ivim::average_shells;
using voxflow::ivim::group_b_values;

TEST(BValueShells, GroupsRepeatsAndNearbyShellValues) {
  auto const shells = group_b_values({0, 1000, 995, 0, 10, 1005, 20, 10}, "dwi.bval");
  ASSERT_EQ(shells.b.size(), 4u);
  EXPECT_EQ(shells.b[0], 0.0);
  EXPECT_EQ(shells.b[1], 10.0);
  EXPECT_EQ(shells.b[2], 20.0);
  EXPECT_DOUBLE_EQ(shells.b[3], 1000.0);
  EXPECT_EQ((std::vector<int>{0, 3, 3, 0, 1, 3, 2, 1}), shells.shell_of_volume);
  EXPECT_EQ((std::vector<int>{2, 2, 1, 3}), shells.volumes_of_shell);
}

TEST(BValueShells, KeepsCloseLowBValuesApart) {
  auto const shells = group_b_values({0, 1, 2, 5, 10}, "dwi.bval");
  EXPECT_EQ(shells.b, (std::vector<double>{0, 1, 2, 5, 10}));
}

TEST(BValueShells, ABZeroShellStaysExactlyZero) {
  auto const shells = group_b_values({0.3, 0, 500}, "dwi.bval");
  ASSERT_EQ(shells.b.size(), 2u);
  EXPECT_EQ(shells.b[0], 0.0);
}

TEST(BValueShells, RefusesNegativeOrNonFiniteBValues) {
  EXPECT_THROW(group_b_values({0, -5, 100}, "dwi.bval"), voxflow::InputError);
  EXPECT_THROW(group_b_values({0, std::nan(""), 100}, "dwi.bval"), voxflow::InputError);
}

TEST(BValueShells, AveragesEveryShellsVolumes) {
  auto const shells = group_b_values({0, 100, 100, 100, 0}, "dwi.bval");
  Kokkos::View<double**, Kokkos::HostSpace> series("series", 2, 5);
  double const values[2][5] = {{10, 1, 2, 3, 12}, {4, 0, 0, 6, 4}};
  for (int v = 0; v < 2; ++v)
    for (int t = 0; t < 5; ++t) series(v, t) = values[v][t];
  auto const mean = average_shells(series, shells);
  EXPECT_DOUBLE_EQ(mean(0, 0), 11.0);
  EXPECT_DOUBLE_EQ(mean(0, 1), 2.0);
  EXPECT_DOUBLE_EQ(mean(1, 0), 4.0);
  EXPECT_DOUBLE_EQ(mean(1, 1), 2.0);
}

}  // namespace
