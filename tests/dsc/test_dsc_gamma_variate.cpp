// Recirculation removal on every execution space: the gamma variate fitted (LM core) to the first pass of
// curves with a recirculation bump gives back the first pass without the bump, with and without noise;
// a curve with a NaN keeps its samples and gets non_finite_input.
#include "execution_spaces.hpp"

#include <voxflow/core/views.hpp>
#include <voxflow/dsc/gamma_variate.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

double gamma_variate(double t, double k, double t0, double alpha, double beta) {
  double const x = t - t0;
  return x <= 0.0 ? 0.0 : k * std::pow(x, alpha) * std::exp(-x / beta);
}

// The first pass of a tissue curve and the same with a recirculation bump 14 s later (a third as high,
// twice as wide).
double first_pass(double t) {
  return gamma_variate(t, 2.0, 12.0, 3.0, 1.6);
}
double with_recirculation(double t) {
  return first_pass(t) + gamma_variate(t, 2.0 / 3.0 / 8.0, 26.0, 3.0, 3.2);
}

template <class ExecutionSpace>
class DscGammaVariate : public ::testing::Test {};
TYPED_TEST_SUITE(DscGammaVariate, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(DscGammaVariate, FirstPassFitRemovesTheRecirculationBump) {
  using Mem = typename TypeParam::memory_space;
  TypeParam const space;
  int const frames = 60, voxels = 21;
  double const dt = 1.5;
  std::vector<double> times;
  for (int j = 0; j < frames; ++j) times.push_back(j * dt);
  std::mt19937_64 rng(4);
  std::normal_distribution<double> noise(0.0, 1.0);
  double peak = 0.0;
  for (double t : times) peak = std::max(peak, first_pass(t));
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> host("test::curves", voxels, frames);
  for (int v = 0; v < voxels; ++v)
    for (int j = 0; j < frames; ++j)
      host(v, j) = with_recirculation(times[j]) + (v == 0 ? 0.0 : 0.01 * peak * noise(rng));
  host(voxels - 1, 5) = std::numeric_limits<double>::quiet_NaN();
  auto const curves = voxflow::upload_series<Mem>(host, "test::curves");
  voxflow::Maps<Mem> out("test::out", voxels, frames + 1);
  voxflow::dsc::fit_first_passes(space, curves, voxflow::to_device<Mem>(space, times, "test::times"), 0.4,
                                 out);
  auto const h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  double raw_area = 0.0, true_area = 0.0;
  for (double t : times) {
    raw_area += with_recirculation(t) * dt;
    true_area += first_pass(t) * dt;
  }
  ASSERT_GT(raw_area, 1.15 * true_area);  // the bump matters
  for (int v = 0; v + 1 < voxels; ++v) {
    SCOPED_TRACE("voxel " + std::to_string(v));
    auto const status = static_cast<voxflow::FitStatus>(static_cast<std::uint8_t>(h(v, frames)));
    ASSERT_TRUE(voxflow::dsc::first_pass_fitted(status)) << voxflow::fit_status_name(status);
    double area = 0.0, worst = 0.0;
    for (int j = 0; j < frames; ++j) {
      area += h(v, j) * dt;
      worst = std::max(worst, std::fabs(h(v, j) - first_pass(times[j])));
    }
    // Noise-free: the first pass itself; 1 % noise: within a few percent.
    EXPECT_LT(std::fabs(area - true_area) / true_area, v == 0 ? 0.005 : 0.04);
    EXPECT_LT(worst, (v == 0 ? 0.005 : 0.05) * peak);
  }
  EXPECT_EQ(static_cast<std::uint8_t>(h(voxels - 1, frames)),
            static_cast<std::uint8_t>(voxflow::FitStatus::non_finite_input));
  EXPECT_TRUE(std::isnan(h(voxels - 1, 5)));
  EXPECT_EQ(h(voxels - 1, 20), host(voxels - 1, 20));
}

}  // namespace
