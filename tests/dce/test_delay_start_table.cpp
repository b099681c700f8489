// The subject-wide table of the delay search (delay_start_table.hpp): its tissue-integral weights turn the
// sums with the running integral J of a curve into dot products with the curve itself, and the search on it
// finds an on-grid delay of a noise-free curve exactly.
#include "dce_test_support.hpp"
#include "execution_spaces.hpp"

#include <voxflow/dce/delay_start_table.hpp>
#include <voxflow/dce/fit_dce.hpp>
#include <voxflow/dce/predict_dce.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace {

template <class ExecutionSpace>
class DelayStartTable : public ::testing::Test {};
TYPED_TEST_SUITE(DelayStartTable, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

// 3.7 s frames (not a multiple of the delay step), AIF onset at 25 s on its own 0.5 s grid.
std::vector<double> const frame_times = voxflow::testing::uniform_times(60, 3.7);
std::vector<double> const aif_times = voxflow::testing::uniform_times(460, 0.5);

template <class Mem>
voxflow::dce::DceInputs<Mem> inputs() {
  return voxflow::dce::make_dce_inputs<Mem>(frame_times, aif_times,
                                            voxflow::testing::parker_plasma(aif_times, 25.0), "test");
}

TYPED_TEST(DelayStartTable, TissueIntegralWeightsGiveTheSumsWithTheRunningIntegral) {
  using Mem = typename TypeParam::memory_space;
  auto const in = inputs<Mem>();
  voxflow::dce::DelaySearch const search;
  auto const table = voxflow::dce::make_delay_start_table(TypeParam(), in, search, "test");
  auto const terms = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), table.terms);
  auto const sums = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), table.sums);
  // (sample, term, candidate), the candidates padded with zeros to whole blocks.
  constexpr int block = voxflow::dce::DelayStartTable<Mem>::candidate_block;
  ASSERT_EQ(static_cast<int>(sums.extent(0)), search.candidates());
  ASSERT_EQ(static_cast<int>(terms.extent(0)), static_cast<int>(frame_times.size()));
  ASSERT_EQ(static_cast<int>(terms.extent(2)), (search.candidates() + block - 1) / block * block);
  for (int s = search.candidates(); s < static_cast<int>(terms.extent(2)); ++s)
    for (int j = 0; j < static_cast<int>(terms.extent(0)); ++j)
      for (int term = 0; term < 4; ++term) EXPECT_EQ(terms(j, term, s), 0.0);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> y(frame_times.size());
  for (double& v : y) v = u(rng);
  int const n = static_cast<int>(y.size());
  for (int s = 0; s < search.candidates(); ++s) {
    double integral = 0.0, ij = 0.0, cj = 0.0, uy = 0.0, wy = 0.0, ii = 0.0, ic = 0.0, cc = 0.0;
    for (int j = 0; j < n; ++j) {  // times in minutes, as the table's
      if (j > 0) integral += 0.5 * (frame_times[j] - frame_times[j - 1]) / 60.0 * (y[j] + y[j - 1]);
      ij += terms(j, 0, s) * integral;
      cj += terms(j, 1, s) * integral;
      uy += terms(j, 2, s) * y[j];
      wy += terms(j, 3, s) * y[j];
      ii += terms(j, 0, s) * terms(j, 0, s);
      ic += terms(j, 0, s) * terms(j, 1, s);
      cc += terms(j, 1, s) * terms(j, 1, s);
    }
    SCOPED_TRACE("candidate " + std::to_string(s));
    EXPECT_NEAR(uy, ij, 1e-12 * std::max(1.0, std::fabs(ij)));
    EXPECT_NEAR(wy, cj, 1e-12 * std::max(1.0, std::fabs(cj)));
    EXPECT_NEAR(sums(s, 0), ii, 1e-12 * ii);
    EXPECT_NEAR(sums(s, 1), ic, 1e-12 * std::fabs(ic));
    EXPECT_NEAR(sums(s, 2), cc, 1e-12 * cc);
  }
}

// Starting values of every voxel of `y` from a model with the subject's delay table.
template <class Space, class Model>
std::vector<std::vector<double>> starts(Model const& model,
                                        voxflow::Series<typename Space::memory_space> const& y) {
  using Mem = typename Space::memory_space;
  constexpr int P = Model::n_params;
  Kokkos::View<double**, Mem> out("out", y.extent(0), P);
  Kokkos::parallel_for(
      "voxflow::test::delay_starts", Kokkos::RangePolicy<Space>(0, y.extent(0)), KOKKOS_LAMBDA(int v) {
        voxflow::fit::VoxelCurve<voxflow::Series<Mem>> const curve{y, v};
        double p[P];
        model.initial_guess(curve, p);
        for (int i = 0; i < P; ++i) out(v, i) = p[i];
      });
  auto const h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  std::vector<std::vector<double>> result(y.extent(0), std::vector<double>(P));
  for (std::size_t v = 0; v < y.extent(0); ++v)
    for (int i = 0; i < P; ++i) result[v][i] = h(v, i);
  return result;
}

TYPED_TEST(DelayStartTable, FindsTheOnGridDelayOfNoiseFreeCurves) {
  using Mem = typename TypeParam::memory_space;
  auto const in = inputs<Mem>();
  voxflow::dce::DceFitOptions o;
  o.model = voxflow::dce::DceModel::extended_tofts;
  o.fit_delay = true;
  std::vector<std::vector<double>> truth;
  for (double delay : {-4.0, 0.0, 3.0, 7.0, 12.0}) truth.push_back({0.25, 0.3, 0.04, delay});
  voxflow::Series<Mem> conc("conc", truth.size(), frame_times.size());
  voxflow::dce::predict_dce(TypeParam(), in, o, voxflow::testing::upload_maps<Mem>(truth), conc);
  voxflow::dce::ExtendedToftsModel<Mem, true> model(in, o.delay);
  model.delay_starts = voxflow::dce::make_delay_start_table(TypeParam(), in, o.delay, "test");
  auto const p = starts<TypeParam>(model, conc);
  for (std::size_t v = 0; v < truth.size(); ++v) EXPECT_EQ(p[v][3], truth[v][3]) << "voxel " << v;
}

}  // namespace
