// Tikhonov deconvolution with λ per voxel at the L-curve's corner, on every execution space: noisier curves
// get a larger λ, the maps recover CBF and CBV, λ comes from the grid and never from its ends, and a fixed
// λ equal to the chosen one gives the same maps (the L-curve only chooses λ).
#include "dsc_test_support.hpp"
#include "execution_spaces.hpp"

#include <voxflow/dsc/lcurve.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace {

using namespace voxflow::testing::dsc;
using voxflow::dsc::DeconvolutionMethod;
using voxflow::dsc::DeconvolutionOptions;
namespace col = voxflow::dsc;

DeconvolutionOptions lcurve_options() {
  DeconvolutionOptions o;
  o.method = DeconvolutionMethod::tikhonov;
  o.lambda_selection = voxflow::dsc::LambdaSelection::lcurve;
  return o;
}

// Copies of one tissue curve with Gaussian noise of SD `sd` relative to its peak.
std::vector<std::vector<double>> noisy_copies(std::vector<double> const& clean, double sd, int copies,
                                              unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  double const peak = *std::max_element(clean.begin(), clean.end());
  std::vector<std::vector<double>> out;
  for (int k = 0; k < copies; ++k) {
    out.push_back(clean);
    for (double& c : out.back()) c += sd * peak * noise(rng);
  }
  return out;
}

double median(std::vector<double> x) {
  std::nth_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(x.size() / 2), x.end());
  return x[x.size() / 2];
}

template <class ExecutionSpace>
class DscLcurve : public ::testing::Test {};
TYPED_TEST_SUITE(DscLcurve, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(DscLcurve, NoisierCurvesGetALargerLambdaAndCbfIsRecovered) {
  auto const times = frame_times(60, 1.5);
  auto const aif = aif_curve(times);
  auto const clean = tissue_curve(times, 40.0, 4.0, 0.0, Residue::gamma);
  auto const grid = voxflow::dsc::lcurve_lambdas();
  std::vector<double> medians;
  for (double sd : {0.005, 0.05}) {
    auto const maps = deconvolve<TypeParam>(noisy_copies(clean, sd, 40, 5), aif, times, lcurve_options());
    std::vector<double> lambdas, cbf, cbv;
    for (std::size_t v = 0; v < 40; ++v) {
      ASSERT_EQ(maps.status[v], static_cast<std::uint8_t>(voxflow::FitStatus::converged));
      double const lambda = maps.at(v, col::threshold);
      EXPECT_TRUE(std::find(grid.begin() + 1, grid.end() - 1, lambda) != grid.end() - 1) << lambda;
      lambdas.push_back(lambda);
      cbf.push_back(maps.at(v, col::cbf));
      cbv.push_back(maps.at(v, col::cbv));
    }
    SCOPED_TRACE("noise " + std::to_string(sd));
    EXPECT_NEAR(median(cbv), 4.0, 0.2);
    EXPECT_NEAR(median(cbf), 40.0, sd < 0.01 ? 4.0 : 10.0);
    medians.push_back(median(lambdas));
  }
  EXPECT_LT(medians[0], medians[1]);
}

TYPED_TEST(DscLcurve, TheChosenLambdaFixedGivesTheSameMaps) {
  auto const times = frame_times(60, 1.5);
  auto const aif = aif_curve(times);
  auto const curves = noisy_copies(tissue_curve(times, 30.0, 3.0, 0.0, Residue::gamma), 0.02, 3, 9);
  auto const chosen = deconvolve<TypeParam>(curves, aif, times, lcurve_options());
  for (std::size_t v = 0; v < curves.size(); ++v) {
    DeconvolutionOptions fixed;
    fixed.method = DeconvolutionMethod::tikhonov;
    fixed.tikhonov_lambda = chosen.at(v, col::threshold);
    auto const one = deconvolve<TypeParam>({curves[v]}, aif, times, fixed);
    for (int c : {col::cbf, col::cbv, col::tmax})
      EXPECT_NEAR(chosen.at(v, c), one.at(0, c), 1e-7 * std::fabs(one.at(0, c)) + 1e-12) << v << " " << c;
  }
}

}  // namespace
