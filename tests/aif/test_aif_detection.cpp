// The automatic AIF detector on synthetic concentration data: a few hundred Tofts tissue curves (computed
// here by a fine-step convolution with the test's own Parker formula), a few dozen noisy, partial-volume
// arterial voxels, noise spikes and arterial-looking decoys outside the ROI.
#include "aif_test_helpers.hpp"
#include "execution_spaces.hpp"

#include <voxflow/aif/aif_detection.hpp>
#include <voxflow/core/errors.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr double bolus_delay_s = 15.0, hematocrit = 0.42;

double true_aif(double t_s) {
  return t_s >= bolus_delay_s ? voxflow::testing::parker_reference(t_s - bolus_delay_s) : 0.0;
}

// Extended Tofts tissue curve on `times` (s): vp Cp + Ktrans ∫ Cp(u) e^{-kep (t - u)} du with Cp = Cb / (1 -
// Hct), by an exact-decay rectangle rule on a 0.02 s step (Ktrans, kep in 1/min).
std::vector<double> tofts_curve(std::vector<double> const& times, double ktrans, double ve, double vp) {
  double const h = 0.02, k_s = ktrans / 60.0, kep_s = ktrans / ve / 60.0, decay = std::exp(-kep_s * h);
  std::vector<double> out;
  double ees = 0.0, t = 0.0;
  for (double target : times) {
    while (t + h <= target + 1e-12) {
      t += h;
      ees = ees * decay + k_s * h * true_aif(t) / (1.0 - hematocrit);
    }
    out.push_back(ees + vp * true_aif(target) / (1.0 - hematocrit));
  }
  return out;
}

struct Phantom {
  std::vector<double> times;
  std::vector<std::vector<double>> curves;
  std::vector<std::uint8_t> roi;
  std::set<std::size_t> arterial, spikes, decoys;
};

// 400 tissue voxels, 30 arterial voxels (partial volume 0.6-1.0, noise 0.15 mM), 3 tissue voxels with a 3 mM
// one-frame spike at 20 s, and 4 decoys outside the ROI (a larger artery: 1.5 x the AIF). Voxels are
// shuffled.
Phantom make_phantom(bool with_arteries, unsigned seed) {
  Phantom p;
  p.times = voxflow::testing::uniform_times(300.0, 2.0);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> ktrans(0.05, 0.35), ve(0.1, 0.5), vp(0.0, 0.03), pv(0.6, 1.0);
  std::normal_distribution<double> tissue_noise(0.0, 0.02), artery_noise(0.0, 0.15);
  enum Kind { tissue, artery, spike, decoy };
  std::vector<Kind> kinds(400, tissue);
  if (with_arteries) {
    kinds.insert(kinds.end(), 30, artery);
    kinds.insert(kinds.end(), 3, spike);
    kinds.insert(kinds.end(), 4, decoy);
  }
  std::shuffle(kinds.begin(), kinds.end(), rng);
  for (std::size_t v = 0; v < kinds.size(); ++v) {
    std::vector<double> c;
    if (kinds[v] == artery) {
      double const scale = pv(rng);
      for (double t : p.times) c.push_back(scale * true_aif(t) + artery_noise(rng));
      p.arterial.insert(v);
    } else if (kinds[v] == decoy) {
      for (double t : p.times) c.push_back(1.5 * true_aif(t) + artery_noise(rng));
      p.decoys.insert(v);
    } else {
      // Without arteries the tissue has no plasma term either: its vp spike would be a genuine (tiny) first
      // pass.
      double const v_p = (kinds[v] == spike || !with_arteries) ? 0.0 : vp(rng);
      c = tofts_curve(p.times, ktrans(rng), ve(rng), v_p);
      for (double& x : c) x += tissue_noise(rng);
      if (kinds[v] == spike) {
        c[10] += 3.0;  // t = 20 s
        p.spikes.insert(v);
      }
    }
    p.curves.push_back(c);
    p.roi.push_back(kinds[v] == decoy ? 0 : 1);
  }
  return p;
}

template <class ExecutionSpace>
struct DeviceInputs {
  using Mem = typename ExecutionSpace::memory_space;
  voxflow::Series<Mem> data;
  Kokkos::View<double*, Mem> times, out;
  Kokkos::View<std::uint8_t*, Mem> roi;
  explicit DeviceInputs(Phantom const& p) {
    Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> host("test::phantom", p.curves.size(),
                                                                        p.times.size());
    for (std::size_t v = 0; v < p.curves.size(); ++v)
      for (std::size_t j = 0; j < p.times.size(); ++j) host(v, j) = p.curves[v][j];
    data = voxflow::upload_series<Mem>(host, "test::phantom");
    times = voxflow::testing::to_device<ExecutionSpace>(p.times);
    roi = voxflow::testing::mask_to_device<ExecutionSpace>(p.roi);
    out = Kokkos::View<double*, Mem>("test::aif", p.times.size());
  }
};

double correlation(std::vector<double> const& a, std::vector<double> const& b) {
  double const ma = std::accumulate(a.begin(), a.end(), 0.0) / a.size();
  double const mb = std::accumulate(b.begin(), b.end(), 0.0) / b.size();
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return ab / std::sqrt(aa * bb);
}

template <class ExecutionSpace>
class AifDetection : public ::testing::Test {};
TYPED_TEST_SUITE(AifDetection, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(AifDetection, FindsTheArterialVoxelsAndRecoversTheAif) {
  for (unsigned seed : {1u, 2u, 3u}) {
    Phantom const p = make_phantom(true, seed);
    DeviceInputs<TypeParam> in(p);
    voxflow::aif::AifDetectionParams params;
    auto const result = voxflow::aif::detect_aif(TypeParam(), in.data, in.times, in.roi, params, in.out);
    ASSERT_GE(result.voxels.size(), 3u);
    EXPECT_EQ(result.voxels.size(), result.scores.size());
    EXPECT_EQ(result.candidates, static_cast<std::size_t>(params.candidate_count));
    for (std::size_t v : result.voxels)
      EXPECT_EQ(p.arterial.count(v), 1u) << "seed " << seed << " voxel " << v;
    EXPECT_TRUE(std::is_sorted(result.scores.rbegin(), result.scores.rend()));
    for (double r : result.correlations) EXPECT_GE(r, params.min_correlation);

    auto const curve = voxflow::testing::to_host(in.out);
    std::vector<double> truth;
    for (double t : p.times) truth.push_back(true_aif(t));
    double const true_peak = *std::max_element(truth.begin(), truth.end());
    double const found_peak = *std::max_element(curve.begin(), curve.end());
    EXPECT_GT(correlation(curve, truth), 0.995) << "seed " << seed;
    // The best-scoring voxels are those with the least partial volume (0.6-1.0): the curve is close to full
    // scale.
    EXPECT_GT(found_peak / true_peak, 0.85) << "seed " << seed;
    EXPECT_LT(found_peak / true_peak, 1.05) << "seed " << seed;
    for (std::size_t j = 0; j < curve.size(); ++j)
      EXPECT_NEAR(curve[j], truth[j], 0.15 * true_peak) << "t=" << p.times[j];
    EXPECT_GT(result.quality, 0.5);
    EXPECT_LE(result.quality, 1.0);
  }
}

TYPED_TEST(AifDetection, NoisySpikesAndDecoysOutsideTheRoiAreNeverChosen) {
  Phantom const p = make_phantom(true, 7u);
  DeviceInputs<TypeParam> in(p);
  voxflow::aif::AifDetectionParams params;
  params.candidate_fraction =
      0.5;  // half of the arterial-like voxels: spikes rank among them, the filter drops them
  auto const result = voxflow::aif::detect_aif(TypeParam(), in.data, in.times, in.roi, params, in.out);
  EXPECT_GE(result.candidates, 3u);
  for (std::size_t v : result.voxels) {
    EXPECT_EQ(p.decoys.count(v), 0u) << v;
    EXPECT_EQ(p.spikes.count(v), 0u) << v;
    EXPECT_EQ(p.arterial.count(v), 1u) << v;
  }
  // Without the ROI the decoys (the strongest arterial curves) win.
  Kokkos::View<std::uint8_t const*, typename TypeParam::memory_space> everywhere;
  auto const unmasked = voxflow::aif::detect_aif(TypeParam(), in.data, in.times, everywhere, params, in.out);
  EXPECT_EQ(p.decoys.count(unmasked.voxels.front()), 1u);
}

TYPED_TEST(AifDetection, TissueOnlyDataHasNoAifAndBadInputsAreRejected) {
  Phantom const p = make_phantom(false, 5u);
  DeviceInputs<TypeParam> in(p);
  voxflow::aif::AifDetectionParams params;
  try {
    voxflow::aif::detect_aif(TypeParam(), in.data, in.times, in.roi, params, in.out);
    ADD_FAILURE() << "expected an InputError";
  } catch (voxflow::InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("arterial"), std::string::npos) << e.what();
  }
  params.candidate_fraction = 2.0;
  EXPECT_THROW(voxflow::aif::detect_aif(TypeParam(), in.data, in.times, in.roi, params, in.out),
               voxflow::InputError);
  params = {};
  auto backwards = p.times;
  std::swap(backwards[3], backwards[4]);
  auto const bad_times = voxflow::testing::to_device<TypeParam>(backwards);
  EXPECT_THROW(voxflow::aif::detect_aif(TypeParam(), in.data, bad_times, in.roi, params, in.out),
               voxflow::InputError);
}

}  // namespace
