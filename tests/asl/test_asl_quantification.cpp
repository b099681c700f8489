// ASL quantification on every execution space: the white-paper single-PLD value, noise-free multi-PLD round
// trips of CBF and ATT, multi-PLD equal to single-PLD once every delay is past the transit time, the failure
// fraction at a realistic SNR, and voxels whose M0 is not positive.
#include "asl_test_support.hpp"
#include "execution_spaces.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

using voxflow::FitStatus;
using voxflow::asl::AslConstants;
using voxflow::asl::AslMethod;
using voxflow::testing::make_series;
using voxflow::testing::quantify;

std::vector<double> const dro_plds{0.25, 0.5, 0.75, 1.0, 1.5, 2.0};

template <class ExecutionSpace>
class AslQuantification : public ::testing::Test {};
TYPED_TEST_SUITE(AslQuantification, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

// SPEC.md §6.4: ΔM/M0 = 0.0069525 at PLD = τ = 1.8 s with the PCASL defaults is CBF 60.0 mL/100 g/min.
TYPED_TEST(AslQuantification, SinglePldMatchesTheWhitePaperValue) {
  AslConstants const c;
  EXPECT_NEAR(voxflow::asl::single_pld_cbf(c, 1.8, 0.0069525), 60.0, 0.01);
  // PASL (QUIPSS II): CBF = 6000 λ ΔM/M0 e^(TI/T1b) / (2 α TI1).
  AslConstants pasl;
  pasl.labeling = voxflow::asl::Labeling::pasl;
  pasl.labeling_efficiency = 0.98;
  double const expected = 6000 * 0.9 * 0.004 * std::exp(1.8 / 1.65) / (2 * 0.98 * 0.7);
  EXPECT_NEAR(voxflow::asl::single_pld_cbf(pasl, 1.8, 0.004), expected, 1e-9 * expected);
  // Through the kernel: one pair at PLD 1.8 s, M0 1000.
  auto const s = make_series(c, {1.8}, {60.0}, {1.0}, {1000.0});
  auto const maps = quantify<TypeParam>(s, c, AslMethod::single_pld);
  EXPECT_NEAR(maps.cbf[0], 60.0, 1e-9);
  EXPECT_EQ(maps.status[0], FitStatus::converged);
  EXPECT_DOUBLE_EQ(maps.m0[0], 1000.0);
  EXPECT_TRUE(std::isnan(maps.att[0]));  // single-PLD measures no transit time
}

// Noise-free model data over a grid of CBF and ATT: both recovered to 1e-4 relative, whatever the start.
TYPED_TEST(AslQuantification, MultiPldRecoversCbfAndAttFromNoiseFreeData) {
  AslConstants const c;
  std::vector<double> cbf, att, m0;
  for (int i = 0; i < 12; ++i)
    for (int j = 0; j < 14; ++j) {
      cbf.push_back(10.0 + 9.0 * i);
      att.push_back(0.3 + 0.2 * j + 0.013 * i);  // 0.3 ... 3.0 s, between and on the delays
      m0.push_back(500.0 + 50.0 * j);
    }
  auto const s = make_series(c, dro_plds, cbf, att, m0, 2);
  auto const maps = quantify<TypeParam>(s, c, AslMethod::multi_pld);
  for (std::size_t v = 0; v < cbf.size(); ++v) {
    EXPECT_NEAR(maps.cbf[v], cbf[v], 1e-4 * cbf[v]) << "CBF " << cbf[v] << " ATT " << att[v];
    EXPECT_NEAR(maps.att[v], att[v], 1e-4 * att[v]) << "CBF " << cbf[v] << " ATT " << att[v];
    EXPECT_TRUE(maps.status[v] == FitStatus::converged) << voxflow::fit_status_name(maps.status[v]);
    EXPECT_GT(maps.r2[v], 1.0 - 1e-9);
  }
}

// PASL (QUIPSS II) over several inversion times: CBF and ATT recovered from noise-free data, and the last
// branch is the single-PLD PASL equation.
TYPED_TEST(AslQuantification, MultiPldPaslRecoversCbfAndAtt) {
  AslConstants c;
  c.labeling = voxflow::asl::Labeling::pasl;
  c.labeling_efficiency = 0.98;
  c.bolus_duration_s = 0.8;
  std::vector<double> const tis{0.4, 0.8, 1.2, 1.6, 2.0, 2.4, 2.8};
  std::vector<double> cbf, att, m0;
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 8; ++j) {
      cbf.push_back(15.0 + 8.0 * i);
      att.push_back(0.5 + 0.17 * j);
      m0.push_back(1000.0);
    }
  auto const maps = quantify<TypeParam>(make_series(c, tis, cbf, att, m0), c, AslMethod::multi_pld);
  for (std::size_t v = 0; v < cbf.size(); ++v) {
    EXPECT_NEAR(maps.cbf[v], cbf[v], 1e-4 * cbf[v]) << "CBF " << cbf[v] << " ATT " << att[v];
    EXPECT_NEAR(maps.att[v], att[v], 1e-4 * att[v]) << "CBF " << cbf[v] << " ATT " << att[v];
  }
  double const ti = 2.8, dm = voxflow::testing::buxton(c, ti, 60.0, 1.0);
  EXPECT_NEAR(voxflow::asl::single_pld_cbf(c, ti, dm), 60.0, 1e-9);
}

// With every delay past the transit time the kinetic model is the single-PLD equation: the multi-PLD CBF
// equals the single-PLD CBF at every delay, and ATT is only bounded (it sits on the lower bound).
TYPED_TEST(AslQuantification, MultiPldEqualsSinglePldWhenEveryDelayIsPastTheTransitTime) {
  AslConstants const c;
  std::vector<double> const plds{1.6, 1.8, 2.0, 2.4};
  std::vector<double> cbf, att, m0;
  for (int i = 0; i < 20; ++i) {
    cbf.push_back(15.0 + 4.0 * i);
    att.push_back(0.4 + 0.05 * i);  // all below the shortest delay
    m0.push_back(900.0);
  }
  auto const s = make_series(c, plds, cbf, att, m0);
  auto const multi = quantify<TypeParam>(s, c, AslMethod::multi_pld);
  for (double pld : plds) {
    auto const single = quantify<TypeParam>(make_series(c, {pld}, cbf, att, m0), c, AslMethod::single_pld);
    for (std::size_t v = 0; v < cbf.size(); ++v) {
      EXPECT_NEAR(single.cbf[v], cbf[v], 1e-10 * cbf[v]);
      EXPECT_NEAR(multi.cbf[v], single.cbf[v], 1e-6 * cbf[v]);
    }
  }
  for (std::size_t v = 0; v < cbf.size(); ++v) {
    EXPECT_EQ(multi.status[v], FitStatus::converged_at_bound);
    EXPECT_EQ(multi.att[v], 0.0);
  }
}

// The two tissue classes of the osipy DRO (GM CBF 60 / ATT 1.2 s, WM 25 / 1.8 s) at a realistic SNR: the
// mean ΔM of each delay (4 pairs) has noise SD 1/10 of the grey-matter peak, so white matter has an SNR of
// about 3 per delay. Fewer than 5 % of the voxels may fail (round_trip: not converged, or a cost above the
// truth's), and the median errors stay at the level the noise allows.
TYPED_TEST(AslQuantification, FewerThanFivePercentOfVoxelsFailAtRealisticSnr) {
  AslConstants const c;
  std::vector<double> cbf, att, m0;
  for (int v = 0; v < 4000; ++v) {
    bool const grey = v % 2 == 0;
    cbf.push_back(grey ? 60.0 : 25.0);
    att.push_back(grey ? 1.2 : 1.8);
    m0.push_back(grey ? 1000.0 : 800.0);
  }
  double peak = 0.0;
  for (double pld : dro_plds) peak = std::max(peak, 1000.0 * voxflow::testing::buxton(c, pld, 60.0, 1.2));
  int const repeats = 4;
  double const volume_sd = peak / 10.0 * std::sqrt(repeats / 2.0);
  auto const s = make_series(c, dro_plds, cbf, att, m0, repeats, volume_sd);
  auto const maps = quantify<TypeParam>(s, c, AslMethod::multi_pld);
  auto const r = voxflow::testing::round_trip(s, c, maps, cbf, att);
  EXPECT_LT(r.failed, 0.05 * r.voxels)
      << r.failed << " of " << r.voxels << " failed (" << r.not_converged << " not converged)";
  EXPECT_LT(r.median_cbf_error, 0.15);
  EXPECT_LT(r.median_att_error, 0.15);
  std::printf(
      "realistic SNR: %d of %d failed (%d not converged), median |CBF error| %.3f, |ATT error| %.3f s\n",
      r.failed, r.voxels, r.not_converged, r.median_cbf_error, r.median_att_error);
}

// A voxel whose M0 is 0, negative or NaN gets invalid_m0 and NaN maps; its neighbours are unaffected.
TYPED_TEST(AslQuantification, VoxelsWithoutAPositiveM0GetAStatusCodeAndNanMaps) {
  AslConstants const c;
  std::vector<double> const m0{1000.0, 0.0, -5.0, std::nan(""), 1000.0};
  std::vector<double> const cbf(m0.size(), 50.0), att(m0.size(), 1.0);
  auto s = make_series(c, dro_plds, cbf, att, {1000.0, 1000.0, 1000.0, 1000.0, 1000.0});
  s.m0 = m0;
  for (auto method : {AslMethod::single_pld, AslMethod::multi_pld}) {
    auto const maps = quantify<TypeParam>(s, c, method);
    for (std::size_t v : {1u, 2u, 3u}) {
      EXPECT_EQ(maps.status[v], FitStatus::invalid_m0);
      EXPECT_TRUE(std::isnan(maps.cbf[v]));
      if (method == AslMethod::multi_pld) {
        EXPECT_TRUE(std::isnan(maps.att[v]));
      }
    }
    for (std::size_t v : {0u, 4u}) {
      EXPECT_TRUE(voxflow::fit_status_usable(maps.status[v]));
      if (method == AslMethod::multi_pld) {
        EXPECT_NEAR(maps.cbf[v], 50.0, 1e-4 * 50.0);
      }
    }
  }
}

// Background suppression lowers the effective labeling efficiency; quantification with the same factor
// undoes it, and TR correction scales the M0 used.
TYPED_TEST(AslQuantification, BackgroundSuppressionAndM0ScaleEnterAsFactors) {
  AslConstants c;
  c.background_efficiency = 0.81;
  c.m0_scale = 1.25;
  std::vector<double> const cbf{40.0, 70.0}, att{1.1, 1.6};
  // Data whose ΔM/M0 is the model's for M0 used = 1.25 × M0 scan.
  auto s = make_series(c, dro_plds, cbf, att, {1250.0, 1250.0});
  s.m0 = {1000.0, 1000.0};
  auto const maps = quantify<TypeParam>(s, c, AslMethod::multi_pld);
  for (std::size_t v = 0; v < cbf.size(); ++v) {
    EXPECT_NEAR(maps.cbf[v], cbf[v], 1e-4 * cbf[v]);
    EXPECT_NEAR(maps.att[v], att[v], 1e-4 * att[v]);
    EXPECT_DOUBLE_EQ(maps.m0[v], 1250.0);
  }
}

// The per-voxel delay curve lives in registers: more distinct delays than max_plds, or a single delay for the
// multi-PLD fit, is refused on the host with an InputError naming the source.
TYPED_TEST(AslQuantification, TheDelayLimitsAreCheckedOnTheHost) {
  AslConstants const c;
  std::vector<double> many;
  for (int g = 0; g <= voxflow::asl::max_plds; ++g) many.push_back(0.1 * (g + 1));
  auto const s = make_series(c, many, {50.0}, {1.0}, {1000.0});
  EXPECT_THROW(quantify<TypeParam>(s, c, AslMethod::multi_pld), voxflow::InputError);
  many.pop_back();
  EXPECT_NO_THROW(
      quantify<TypeParam>(make_series(c, many, {50.0}, {1.0}, {1000.0}), c, AslMethod::multi_pld));
  auto const one = make_series(c, {1.8}, {50.0}, {1.0}, {1000.0});
  try {
    quantify<TypeParam>(one, c, AslMethod::multi_pld);
    FAIL() << "expected InputError";
  } catch (voxflow::InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("at least 2 distinct post-labeling delays"), std::string::npos)
        << e.what();
  }
}

}  // namespace
