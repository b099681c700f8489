// The IVIM fits on every execution space: noise-free round trips, the segmented method's fixed-D step, the
// Bayesian posterior SDs against the scatter of repeated noisy fits (the sigma² scaling), bad voxels, and
// protocol checks.
#include "execution_spaces.hpp"
#include "ivim_test_support.hpp"

#include <voxflow/core/errors.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace {

using voxflow::FitStatus;
using voxflow::testing::fit_ivim_on;
using voxflow::testing::ivim_curve;
using voxflow::testing::ivim_protocols;
using voxflow::testing::IvimTruth;
namespace ivim = voxflow::ivim;

template <class ExecutionSpace>
class FitIvim : public ::testing::Test {};
TYPED_TEST_SUITE(FitIvim, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

// Tissues across the range of the model: low to high f, slow to fast pseudo-diffusion, S0 in signal units.
std::vector<IvimTruth> truths() {
  return {{1000.0, 0.0010, 0.020, 0.10}, {350.0, 0.0015, 0.050, 0.30}, {2.0, 0.0007, 0.010, 0.05},
          {1000.0, 0.0030, 0.100, 0.60}, {80.0, 0.0012, 0.080, 0.20},  {1.0, 0.0020, 0.030, 0.90}};
}

TYPED_TEST(FitIvim, FullAndBayesianRecoverNoiseFreeTruthOnEveryProtocol) {
  for (auto method : {ivim::IvimMethod::full, ivim::IvimMethod::bayesian}) {
    ivim::IvimFitOptions options;
    options.method = method;
    options.noise = ivim::IvimNoise::voxel;
    auto const tissues = truths();
    for (auto const& b : ivim_protocols()) {
      std::vector<std::vector<double>> curves;
      for (auto const& t : tissues) curves.push_back(ivim_curve(b, t));
      auto const r = fit_ivim_on<TypeParam>(b, curves, options);
      for (std::size_t v = 0; v < curves.size(); ++v) {
        auto const& t = tissues[v];
        SCOPED_TRACE(ivim::ivim_method_name(method) + " voxel " + std::to_string(v) + " b_max " +
                     std::to_string(b.back()));
        EXPECT_TRUE(voxflow::fit_status_usable(r.status_of(static_cast<int>(v))));
        EXPECT_NEAR(r.values(v, ivim::column_s0), t[0], 1e-6 * t[0]);
        EXPECT_NEAR(r.values(v, ivim::column_d), t[1], 1e-6);
        EXPECT_NEAR(r.values(v, ivim::column_dstar), t[2], 1e-6);
        EXPECT_NEAR(r.values(v, ivim::column_f), t[3], 1e-6);
        EXPECT_GT(r.values(v, ivim::column_r2), 1.0 - 1e-9);
      }
    }
  }
}

// Where the perfusion signal has decayed by b_threshold, the segmented method is exact too.
TYPED_TEST(FitIvim, SegmentedRecoversNoiseFreeTruthWhenPerfusionHasDecayedAtTheThreshold) {
  ivim::IvimFitOptions options;
  for (auto const& b : ivim_protocols()) {
    std::vector<IvimTruth> const fast = {{1000.0, 0.0010, 0.10, 0.10}, {5.0, 0.0020, 0.15, 0.25}};
    std::vector<std::vector<double>> curves;
    for (auto const& t : fast) curves.push_back(ivim_curve(b, t));
    auto const r = fit_ivim_on<TypeParam>(b, curves, options);
    for (std::size_t v = 0; v < fast.size(); ++v) {
      EXPECT_NEAR(r.values(v, ivim::column_d), fast[v][1], 1e-6);
      EXPECT_NEAR(r.values(v, ivim::column_dstar), fast[v][2], 1e-6);
      EXPECT_NEAR(r.values(v, ivim::column_f), fast[v][3], 1e-6);
    }
  }
}

// Step 1 of the segmented method is a real tissue fit: D equals the weighted log-linear regression over
// b >= b_threshold (computed here independently) and is not refitted in step 2.
TYPED_TEST(FitIvim, SegmentedTakesDFromTheHighBValuesAlone) {
  std::vector<double> const b = ivim_protocols()[0];
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.01);
  std::vector<std::vector<double>> curves;
  for (int v = 0; v < 20; ++v) {
    auto c = ivim_curve(b, {1.0, 0.001 + 0.0001 * v, 0.03, 0.15});
    for (auto& s : c) s += noise(rng);
    c[0] = 1.0;  // the normalisation sample stays exact, so the regression below needs no scaling
    curves.push_back(c);
  }
  for (double threshold : {200.0, 400.0}) {
    ivim::IvimFitOptions options;
    options.b_threshold = threshold;
    auto const r = fit_ivim_on<TypeParam>(b, curves, options);
    for (std::size_t v = 0; v < curves.size(); ++v) {
      double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
      for (std::size_t j = 0; j < b.size(); ++j) {
        double const y = curves[v][j];
        if (b[j] < threshold || y <= 0) continue;
        double const w = y * y, x = b[j], l = std::log(y);
        sw += w;
        sx += w * x;
        sy += w * l;
        sxx += w * x * x;
        sxy += w * x * l;
      }
      double const slope = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
      EXPECT_NEAR(r.values(v, ivim::column_d), -slope, 1e-9) << "voxel " << v << " threshold " << threshold;
    }
  }
}

// The posterior SDs are the spread of the estimate: over many noise draws of one tissue, the median posterior
// SD of D, D* and f matches the SD of the MAP estimates (osipy's missing sigma² would make them 1/sigma = 100
// times too large at this noise level).
TYPED_TEST(FitIvim, BayesianPosteriorSdMatchesTheScatterOfRepeatedFits) {
  std::vector<double> const b = ivim_protocols()[1];
  IvimTruth const truth{1.0, 0.0012, 0.04, 0.2};
  double const sigma = 0.01;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, sigma);
  std::vector<std::vector<double>> curves(1500);
  for (auto& c : curves) {
    c = ivim_curve(b, truth);
    for (auto& s : c) s += noise(rng);
  }
  ivim::IvimFitOptions options;
  options.method = ivim::IvimMethod::bayesian;
  options.noise = ivim::IvimNoise::global;
  auto const r = fit_ivim_on<TypeParam>(b, curves, options, sigma / truth[0]);
  int const estimate[3] = {ivim::column_d, ivim::column_dstar, ivim::column_f};
  int const sd[3] = {ivim::column_d_sd, ivim::column_dstar_sd, ivim::column_f_sd};
  for (int k = 0; k < 3; ++k) {
    std::vector<double> values, sds;
    for (std::size_t v = 0; v < curves.size(); ++v) {
      if (!voxflow::fit_status_usable(r.status_of(static_cast<int>(v)))) continue;
      values.push_back(r.values(v, estimate[k]));
      sds.push_back(r.values(v, sd[k]));
    }
    ASSERT_GT(values.size(), 1400u);
    double mean = 0, var = 0;
    for (double x : values) mean += x;
    mean /= values.size();
    for (double x : values) var += (x - mean) * (x - mean);
    double const scatter = std::sqrt(var / (values.size() - 1));
    std::nth_element(sds.begin(), sds.begin() + sds.size() / 2, sds.end());
    double const median_sd = sds[sds.size() / 2];
    EXPECT_GT(median_sd, 0.6 * scatter) << "parameter " << k;
    EXPECT_LT(median_sd, 1.6 * scatter) << "parameter " << k;
    EXPECT_NEAR(r.values(0, ivim::column_noise), sigma, 1e-12);
  }
}

// Noise per voxel is the residual SD of the voxel's full fit; the global one is the median over voxels.
TYPED_TEST(FitIvim, NoiseEstimatesFollowTheResiduals) {
  std::vector<double> const b = ivim_protocols()[1];
  std::mt19937_64 rng(3);
  std::vector<std::vector<double>> curves;
  for (double sigma : {0.005, 0.02}) {
    std::normal_distribution<double> noise(0.0, sigma);
    for (int v = 0; v < 300; ++v) {
      auto c = ivim_curve(b, {1.0, 0.0012, 0.04, 0.2});
      for (auto& s : c) s += noise(rng);
      curves.push_back(c);
    }
  }
  ivim::IvimFitOptions options;
  options.method = ivim::IvimMethod::bayesian;
  options.noise = ivim::IvimNoise::voxel;
  auto const r = fit_ivim_on<TypeParam>(b, curves, options);
  std::vector<double> low, high;
  for (int v = 0; v < 300; ++v) low.push_back(r.values(v, ivim::column_noise));
  for (int v = 300; v < 600; ++v) high.push_back(r.values(v, ivim::column_noise));
  EXPECT_NEAR(ivim::median_noise_sd(low), 0.005, 0.0015);
  EXPECT_NEAR(ivim::median_noise_sd(high), 0.02, 0.006);
  EXPECT_TRUE(std::isnan(ivim::median_noise_sd({std::nan(""), std::nan("")})));
  EXPECT_DOUBLE_EQ(ivim::median_noise_sd({3.0, std::nan(""), 1.0, 2.0}), 2.0);
}

TYPED_TEST(FitIvim, VoxelsWithoutAPositiveFiniteCurveAreMarkedAndNaN) {
  std::vector<double> const b = ivim_protocols()[0];
  auto good = ivim_curve(b, {1.0, 0.001, 0.03, 0.1});
  auto zero_b0 = good, negative_b0 = good, nan_sample = good, all_zero = good;
  zero_b0[0] = 0.0;
  negative_b0[0] = -1.0;
  nan_sample[4] = std::nan("");
  std::fill(all_zero.begin(), all_zero.end(), 0.0);
  for (auto method : {ivim::IvimMethod::segmented, ivim::IvimMethod::full, ivim::IvimMethod::bayesian}) {
    ivim::IvimFitOptions options;
    options.method = method;
    options.noise = ivim::IvimNoise::voxel;
    auto const r = fit_ivim_on<TypeParam>(b, {good, zero_b0, negative_b0, nan_sample, all_zero}, options);
    EXPECT_TRUE(voxflow::fit_status_usable(r.status_of(0)));
    for (int v = 1; v < 5; ++v) {
      EXPECT_EQ(r.status_of(v), FitStatus::non_finite_input) << v;
      for (std::size_t k = 0; k < r.values.extent(1); ++k) EXPECT_TRUE(std::isnan(r.values(v, k))) << v;
    }
  }
}

TEST(IvimProtocol, RefusesProtocolsTheMethodsCannotFit) {
  ivim::IvimFitOptions const options;
  auto refused = [&](std::vector<double> const& b, std::string const& words) {
    try {
      ivim::validate_ivim_protocol(b, options, "dwi.bval");
      ADD_FAILURE() << "accepted";
    } catch (voxflow::InputError const& e) {
      EXPECT_NE(std::string(e.what()).find("dwi.bval"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  refused({10, 20, 200, 400, 800}, "b = 0");
  refused({0, 200, 800}, "at least 4");
  refused({0, 10, 20, 50, 100, 400}, "two b-values >= b_threshold");
  refused({0, 10, 20, 20, 400, 800}, "distinct");
  std::vector<double> many(ivim::max_b_values + 1);
  for (std::size_t j = 0; j < many.size(); ++j) many[j] = 10.0 * j;
  refused(many, "at most");
  EXPECT_NO_THROW(ivim::validate_ivim_protocol({0, 50, 200, 800}, options, "dwi.bval"));
}

}  // namespace
