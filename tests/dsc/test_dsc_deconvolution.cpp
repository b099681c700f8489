// The DSC deconvolution kernels on every execution space: round trips with known CBF, CBV and MTT for
// gamma-transit, exponential and boxcar residues, kh/density scaling, the delay (in)sensitivity of sSVD
// versus cSVD and oSVD (Wu et al. 2003), the oSVD threshold choice, and the status of unusable voxels.
#include "dsc_test_support.hpp"
#include "execution_spaces.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/dsc/deconvolve.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace {

using namespace voxflow::testing::dsc;
using voxflow::dsc::DeconvolutionMethod;
using voxflow::dsc::DeconvolutionOptions;
namespace col = voxflow::dsc;

DeconvolutionOptions options_for(DeconvolutionMethod m, double threshold = -1.0) {
  DeconvolutionOptions o;
  o.method = m;
  o.threshold = threshold > 0 ? threshold : voxflow::dsc::default_threshold(m);
  return o;
}

double relative_error(double measured, double truth) {
  return std::fabs(measured - truth) / truth;
}

template <class ExecutionSpace>
class DscDeconvolution : public ::testing::Test {};
TYPED_TEST_SUITE(DscDeconvolution, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(DscDeconvolution, RecoversKnownCbfCbvMttForEveryMethod) {
  auto const times = frame_times(90, 1.0);
  auto const aif = aif_curve(times);
  struct Truth {
    double cbf, cbv;
  };
  std::vector<Truth> const truth{{20.0, 3.0}, {40.0, 4.0}, {60.0, 5.0}};
  std::vector<std::vector<double>> curves;
  for (auto const& t : truth) curves.push_back(tissue_curve(times, t.cbf, t.cbv, 0.0, Residue::gamma));
  for (auto method : {DeconvolutionMethod::ssvd, DeconvolutionMethod::csvd, DeconvolutionMethod::osvd,
                      DeconvolutionMethod::tikhonov}) {
    auto const maps = deconvolve<TypeParam>(curves, aif, times, options_for(method, 0.05));
    for (std::size_t v = 0; v < truth.size(); ++v) {
      SCOPED_TRACE(std::string(voxflow::dsc::deconvolution_method_name(method)) + " voxel " +
                   std::to_string(v));
      EXPECT_EQ(maps.status[v], static_cast<std::uint8_t>(voxflow::FitStatus::converged));
      // CBV is the area ratio: exact up to the truncated tail.
      EXPECT_LT(relative_error(maps.at(v, col::cbv), truth[v].cbv), 0.02);
      // Tikhonov's fixed λ smooths the residue's peak more than a 5 % truncation.
      double const cbf_tolerance = method == DeconvolutionMethod::tikhonov ? 0.2 : 0.1;
      EXPECT_LT(relative_error(maps.at(v, col::cbf), truth[v].cbf), cbf_tolerance);
      EXPECT_NEAR(maps.at(v, col::mtt), 60.0 * maps.at(v, col::cbv) / maps.at(v, col::cbf), 1e-9);
      EXPECT_LT(relative_error(maps.at(v, col::mtt), 60.0 * truth[v].cbv / truth[v].cbf),
                cbf_tolerance + 0.05);
      // The residue is flat at t = 0; the rectangle rule moves its maximum by up to two frames.
      EXPECT_GE(maps.at(v, col::tmax), 0.0);
      EXPECT_LE(maps.at(v, col::tmax), 2.0);
    }
  }
}

// An exponential residue (a jump at t = 0) is the classic case where truncated deconvolution underestimates
// CBF: the estimate is low but CBV, an area ratio, is not.
TYPED_TEST(DscDeconvolution, ExponentialResidueGivesTheKnownCbfUnderestimate) {
  auto const times = frame_times(90, 1.0);
  auto const aif = aif_curve(times);
  std::vector<std::vector<double>> const curves{tissue_curve(times, 40.0, 4.0)};
  for (auto method : {DeconvolutionMethod::ssvd, DeconvolutionMethod::csvd, DeconvolutionMethod::osvd}) {
    auto const maps = deconvolve<TypeParam>(curves, aif, times, options_for(method));
    EXPECT_LT(maps.at(0, col::cbf), 40.0) << voxflow::dsc::deconvolution_method_name(method);
    EXPECT_GT(maps.at(0, col::cbf), 0.6 * 40.0) << voxflow::dsc::deconvolution_method_name(method);
    EXPECT_LT(relative_error(maps.at(0, col::cbv), 4.0), 0.02);
  }
}

TYPED_TEST(DscDeconvolution, BoxcarResidueGivesItsTransitTime) {
  auto const times = frame_times(90, 1.0);
  auto const aif = aif_curve(times);
  std::vector<std::vector<double>> const curves{
      tissue_curve(times, 30.0, 4.0, 0.0, Residue::boxcar)};  // MTT 8 s
  auto const maps = deconvolve<TypeParam>(curves, aif, times, options_for(DeconvolutionMethod::osvd));
  EXPECT_LT(relative_error(maps.at(0, col::cbv), 4.0), 0.02);
  EXPECT_LT(relative_error(maps.at(0, col::mtt), 8.0), 0.2);
}

TYPED_TEST(DscDeconvolution, HematocritAndDensityScaleCbfAndCbvNotMtt) {
  auto const times = frame_times(80, 1.0);
  auto const aif = aif_curve(times);
  std::vector<std::vector<double>> const curves{tissue_curve(times, 40.0, 4.0)};
  auto const plain = deconvolve<TypeParam>(curves, aif, times, options_for(DeconvolutionMethod::ssvd));
  voxflow::dsc::PerfusionScaling scaling;
  scaling.kh = 0.73;
  scaling.density_g_per_ml = 1.04;
  auto const scaled =
      deconvolve<TypeParam>(curves, aif, times, options_for(DeconvolutionMethod::ssvd), scaling);
  EXPECT_NEAR(scaled.at(0, col::cbf), plain.at(0, col::cbf) * 0.73 / 1.04, 1e-9 * plain.at(0, col::cbf));
  EXPECT_NEAR(scaled.at(0, col::cbv), plain.at(0, col::cbv) * 0.73 / 1.04, 1e-9 * plain.at(0, col::cbv));
  EXPECT_NEAR(scaled.at(0, col::mtt), plain.at(0, col::mtt), 1e-9 * plain.at(0, col::mtt));
}

// Wu et al. 2003: an AIF that arrives 3 s after the tissue (e.g. measured in a distal artery), and a tissue
// that arrives 3 s after the AIF. The block-circulant methods recover CBF within 5 % at high SNR either way,
// with Tmax shifted by the delay; sSVD, whose causal matrix cannot represent a residue that starts before
// the AIF, shows its known delay bias.
TYPED_TEST(DscDeconvolution, ThreeSecondAifDelayLeavesCsvdAndOsvdUnbiasedButNotSsvd) {
  auto const times = frame_times(90, 1.0);
  auto const aif = aif_curve(times);
  double const cbf = 30.0, cbv = 4.0;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 1e-4);  // high SNR: 1e-4 1/s against a ~1 1/s tissue peak
  std::vector<std::vector<double>> curves;
  for (double delay : {0.0, -3.0, 3.0}) {  // tissue delay relative to the AIF: none, AIF late, tissue late
    curves.push_back(tissue_curve(times, cbf, cbv, delay, Residue::gamma));
    for (double& c : curves.back()) c += noise(rng);
  }
  auto const csvd = deconvolve<TypeParam>(curves, aif, times, options_for(DeconvolutionMethod::csvd, 0.05));
  auto const osvd = deconvolve<TypeParam>(curves, aif, times, options_for(DeconvolutionMethod::osvd));
  auto const ssvd = deconvolve<TypeParam>(curves, aif, times, options_for(DeconvolutionMethod::ssvd));
  for (std::size_t v = 0; v < 3; ++v) {
    SCOPED_TRACE("tissue delay " + std::to_string(v == 0 ? 0 : v == 1 ? -3 : 3) + " s");
    EXPECT_LT(relative_error(csvd.at(v, col::cbf), cbf), 0.05) << csvd.at(v, col::cbf);
    EXPECT_LT(relative_error(osvd.at(v, col::cbf), cbf), 0.05) << osvd.at(v, col::cbf);
  }
  for (auto const* maps : {&csvd, &osvd}) {
    EXPECT_NEAR(maps->at(1, col::tmax) - maps->at(0, col::tmax), -3.0, 1.01);
    EXPECT_NEAR(maps->at(2, col::tmax) - maps->at(0, col::tmax), 3.0, 1.01);
  }
  // sSVD (its usual threshold 0.2): the estimate moves with the delay, by far the most when the AIF is late
  // (the causal matrix cannot put residue before the AIF; the tissue mass already present when the AIF
  // arrives appears as an instant, too high flow).
  EXPECT_GT(relative_error(ssvd.at(1, col::cbf), cbf), 0.25) << ssvd.at(1, col::cbf);
  EXPECT_GT(relative_error(ssvd.at(1, col::cbf), ssvd.at(0, col::cbf)), 0.25);
  EXPECT_GT(relative_error(ssvd.at(2, col::cbf), ssvd.at(0, col::cbf)), 0.05);
  for (auto const* maps : {&csvd, &osvd})
    for (std::size_t v = 1; v < 3; ++v)
      EXPECT_LT(relative_error(maps->at(v, col::cbf), maps->at(0, col::cbf)), 0.02);
}

// The factored oSVD residues are the cSVD ones: with a bound every candidate meets, oSVD is cSVD at the
// smallest threshold; with a bound none meets, cSVD at the largest.
TYPED_TEST(DscDeconvolution, OsvdCandidatesAreCsvdAtTheirThresholds) {
  auto const times = frame_times(70, 1.0);
  auto const aif = aif_curve(times);
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 0.02);
  std::vector<std::vector<double>> curves;
  for (double cbf : {20.0, 45.0, 70.0}) {
    curves.push_back(tissue_curve(times, cbf, 4.0, 2.0));
    for (double& c : curves.back()) c += noise(rng);
  }
  DeconvolutionOptions accept_all = options_for(DeconvolutionMethod::osvd), accept_none = accept_all;
  accept_all.oscillation_bound = 1e200;
  accept_none.oscillation_bound = 0.0;
  auto const smallest = deconvolve<TypeParam>(curves, aif, times, accept_all);
  auto const largest = deconvolve<TypeParam>(curves, aif, times, accept_none);
  auto const csvd_small = deconvolve<TypeParam>(
      curves, aif, times, options_for(DeconvolutionMethod::csvd, accept_all.osvd_thresholds.front()));
  auto const csvd_large = deconvolve<TypeParam>(
      curves, aif, times, options_for(DeconvolutionMethod::csvd, accept_all.osvd_thresholds.back()));
  for (std::size_t v = 0; v < curves.size(); ++v)
    for (int c : {col::cbf, col::tmax}) {
      EXPECT_NEAR(smallest.at(v, c), csvd_small.at(v, c), 1e-8 * std::fabs(csvd_small.at(v, c)) + 1e-12);
      EXPECT_NEAR(largest.at(v, c), csvd_large.at(v, c), 1e-8 * std::fabs(csvd_large.at(v, c)) + 1e-12);
    }
  EXPECT_EQ(smallest.at(0, col::threshold), accept_all.osvd_thresholds.front());
  EXPECT_EQ(largest.at(0, col::threshold), accept_all.osvd_thresholds.back());
}

TYPED_TEST(DscDeconvolution, OsvdRegularisesNoisierCurvesMore) {
  auto const times = frame_times(80, 1.0);
  auto const aif = aif_curve(times);
  auto const clean = tissue_curve(times, 40.0, 4.0);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 0.1);
  auto noisy = clean;
  for (double& c : noisy) c += noise(rng);
  auto const maps = deconvolve<TypeParam>({clean, noisy}, aif, times, options_for(DeconvolutionMethod::osvd));
  EXPECT_LT(maps.at(0, col::threshold), maps.at(1, col::threshold));
  EXPECT_GE(maps.at(0, col::threshold), 0.01);
}

TYPED_TEST(DscDeconvolution, UnusableVoxelsGetAStatusAndNanMaps) {
  auto const times = frame_times(40, 1.0);
  auto const aif = aif_curve(times);
  auto with_nan = tissue_curve(times, 40.0, 4.0);
  with_nan[12] = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> const flat(times.size(), 0.0);
  auto const maps =
      deconvolve<TypeParam>({with_nan, flat}, aif, times, options_for(DeconvolutionMethod::osvd));
  EXPECT_EQ(maps.status[0], static_cast<std::uint8_t>(voxflow::FitStatus::non_finite_input));
  EXPECT_EQ(maps.status[1], static_cast<std::uint8_t>(voxflow::FitStatus::flat_signal));
  for (int c = 0; c < col::dsc_map_count; ++c) {
    EXPECT_TRUE(std::isnan(maps.at(0, c)));
    EXPECT_TRUE(std::isnan(maps.at(1, c)));
  }
}

// The blocked host path (cache-sized blocks, the host BLAS) and the batched path (whole-chunk products)
// compute the same maps: many noisy voxels (more than two blocks, the last one partial), an unusable one
// of each kind, every method and its factored or dense pseudo-inverse. On a device both calls take the
// batched path and agree trivially.
TYPED_TEST(DscDeconvolution, BlockedHostPathAgreesWithTheBatchedPath) {
  auto const times = frame_times(60, 1.5);
  auto const aif = aif_curve(times);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<std::vector<double>> shapes, curves;
  for (int k = 0; k < 12; ++k)
    shapes.push_back(tissue_curve(times, 10.0 + 60.0 * uniform(rng), 1.0 + 4.0 * uniform(rng),
                                  3.0 * uniform(rng), Residue::gamma));
  for (int v = 0; v < 301; ++v) {
    auto c = shapes[static_cast<std::size_t>(v) % shapes.size()];
    double const peak = *std::max_element(c.begin(), c.end());
    for (double& x : c) x += 0.03 * peak * noise(rng);
    curves.push_back(c);
  }
  curves[5].assign(times.size(), 0.0);  // flat
  curves[200][7] = std::numeric_limits<double>::quiet_NaN();
  std::vector<DeconvolutionOptions> variants;
  for (auto method : {DeconvolutionMethod::ssvd, DeconvolutionMethod::csvd, DeconvolutionMethod::osvd,
                      DeconvolutionMethod::tikhonov})
    for (double threshold : {0.02, 0.2}) {
      variants.push_back(options_for(method, threshold));
      variants.back().tikhonov_lambda = threshold;
    }
  variants.push_back(options_for(DeconvolutionMethod::tikhonov));
  variants.back().lambda_selection = voxflow::dsc::LambdaSelection::lcurve;
  for (auto const& options : variants) {
    {
      SCOPED_TRACE(std::string(voxflow::dsc::deconvolution_method_name(options.method)) + " threshold " +
                   std::to_string(options.threshold) +
                   (options.lambda_selection == voxflow::dsc::LambdaSelection::lcurve ? " L-curve" : ""));
      auto const blocked = deconvolve<TypeParam>(curves, aif, times, options);
      auto const batched =
          deconvolve<TypeParam>(curves, aif, times, options, {}, voxflow::dsc::DeconvolutionPath::batched);
      ASSERT_EQ(blocked.status, batched.status);
      EXPECT_EQ(blocked.status[5], static_cast<std::uint8_t>(voxflow::FitStatus::flat_signal));
      EXPECT_EQ(blocked.status[200], static_cast<std::uint8_t>(voxflow::FitStatus::non_finite_input));
      for (std::size_t v = 0; v < curves.size(); ++v)
        for (int c = 0; c < col::dsc_map_count; ++c) {
          double const a = blocked.at(v, c), b = batched.at(v, c);
          if (std::isnan(b)) {
            EXPECT_TRUE(std::isnan(a)) << v << " " << c;
            continue;
          }
          EXPECT_NEAR(a, b, 1e-9 * std::max(1.0, std::fabs(b))) << v << " " << c;
        }
    }
  }
}

TEST(DscDeconvolutionOperator, RefusesAZeroOrNonFiniteAif) {
  DeconvolutionOptions const options;
  EXPECT_THROW(voxflow::dsc::build_deconvolution_operator(std::vector<double>(20, 0.0), 1.0, options, "a"),
               voxflow::InputError);
  std::vector<double> aif(20, 1.0);
  aif[3] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(voxflow::dsc::build_deconvolution_operator(aif, 1.0, options, "a"), voxflow::InputError);
}

TEST(DscDeconvolutionOperator, HasTheShapesOfItsMethod) {
  auto const times = frame_times(30, 1.0);
  auto const aif = aif_curve(times);
  DeconvolutionOptions o;
  o.method = DeconvolutionMethod::osvd;
  auto const osvd = voxflow::dsc::build_deconvolution_operator(aif, 1.0, o, "a");
  EXPECT_EQ(osvd.length, 60);  // block-circulant: 2N
  EXPECT_EQ(osvd.candidates, static_cast<int>(o.osvd_thresholds.size()));
  // Factored: every component of the smallest threshold, and a descending count per candidate.
  EXPECT_EQ(osvd.left.size(), static_cast<std::size_t>(osvd.components) * 30);
  EXPECT_EQ(osvd.right.size(), static_cast<std::size_t>(osvd.components) * 60);
  EXPECT_EQ(osvd.kept.front(), osvd.components);
  EXPECT_TRUE(std::is_sorted(osvd.kept.rbegin(), osvd.kept.rend()));
  EXPECT_GE(osvd.kept.back(), 1);
  EXPECT_TRUE(std::is_sorted(osvd.thresholds.begin(), osvd.thresholds.end()));
  o.method = DeconvolutionMethod::ssvd;
  auto const ssvd = voxflow::dsc::build_deconvolution_operator(aif, 1.0, o, "a");
  EXPECT_EQ(ssvd.length, 30);
  EXPECT_EQ(ssvd.candidates, 1);
  // The causal matrix without truncation inverts the convolution: pinv · (A r) = r for a residue r.
  o.threshold = 1e-12;
  // A well-conditioned AIF (large at the first frame): the inverse is exact to rounding.
  std::vector<double> early(30);
  for (int j = 0; j < 30; ++j) early[static_cast<std::size_t>(j)] = std::exp(-j / 3.0);
  auto const exact = voxflow::dsc::build_deconvolution_operator(early, 1.0, o, "a");
  std::vector<double> r(30), c(30, 0.0);
  for (int i = 0; i < 30; ++i) r[i] = std::exp(-i / 5.0);
  for (int i = 0; i < 30; ++i)
    for (int j = 0; j <= i; ++j) c[i] += early[i - j] * r[j];
  for (int i = 0; i < 30; ++i) {
    double back = 0.0;
    for (int j = 0; j < 30; ++j) back += exact.pinv[static_cast<std::size_t>(i) * 30 + j] * c[j];
    EXPECT_NEAR(back, r[i], 1e-6) << i;
  }
}

}  // namespace

namespace {

// The dense column-major n × n circulant matrix of `column`.
std::vector<double> circulant_matrix(std::vector<double> const& column) {
  std::size_t const n = column.size();
  std::vector<double> a(n * n);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) a[i + j * n] = column[(i + n - j) % n];
  return a;
}

}  // namespace

// The circulant SVD from the DFT is a singular value decomposition: orthonormal factors that rebuild the
// matrix, and LAPACK's singular values, for an even (zero-padded AIF, as cSVD and oSVD use) and an odd size.
TEST(DscCirculantSvd, EqualsLapacksDecompositionOfTheDenseMatrix) {
  for (int frames : {17, 40}) {
    auto const aif = aif_curve(frame_times(frames, 1.5));
    for (bool padded : {true, false}) {
      std::vector<double> column(aif);
      if (padded) column.resize(2 * aif.size(), 0.0);
      if (!padded) column.push_back(0.3);  // odd size, no zero tail
      int const n = static_cast<int>(column.size());
      SCOPED_TRACE("n = " + std::to_string(n));
      auto const dense = circulant_matrix(column);
      auto const fast = voxflow::dsc::circulant_singular_value_decomposition(column, n);
      auto const lapack = voxflow::dsc::singular_value_decomposition(dense, n);
      double const s_max = lapack.s.front();
      ASSERT_EQ(fast.s.size(), lapack.s.size());
      for (int c = 0; c < n; ++c) EXPECT_NEAR(fast.s[c], lapack.s[c], 1e-12 * s_max) << c;
      EXPECT_TRUE(std::is_sorted(fast.s.rbegin(), fast.s.rend()));
      auto const at = [n](std::vector<double> const& m, int i, int j) {
        return m[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * n];
      };
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
          double rebuilt = 0.0, uu = 0.0, vv = 0.0;
          for (int c = 0; c < n; ++c) {
            rebuilt += at(fast.u, i, c) * fast.s[c] * at(fast.vt, c, j);
            uu += at(fast.u, c, i) * at(fast.u, c, j);
            vv += at(fast.vt, i, c) * at(fast.vt, j, c);
          }
          EXPECT_NEAR(rebuilt, at(dense, i, j), 1e-12 * s_max) << i << "," << j;
          EXPECT_NEAR(uu, i == j ? 1.0 : 0.0, 1e-12) << i << "," << j;
          EXPECT_NEAR(vv, i == j ? 1.0 : 0.0, 1e-12) << i << "," << j;
        }
    }
  }
}
