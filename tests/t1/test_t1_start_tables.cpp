// The T1 models' shared tables (per-subject angle terms, start-grid curves and exponentials) are a pure speed
// measure: a model built with them must give the starting values and curves of a model built by hand (flip
// angles or inversion times only), which computes every term where it is needed, to rounding. (Not bit for
// bit: -ffp-contract=fast may fuse a multiply-add in one inlining context and not in the other.)
#include "execution_spaces.hpp"
#include "t1_test_support.hpp"

#include <voxflow/t1/look_locker_model.hpp>
#include <voxflow/t1/spgr_model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <type_traits>
#include <vector>

namespace {

using namespace voxflow::t1::test;

// Keeps the model curve, drops the Jacobian (checked in test_t1_models.cpp).
template <int P, class Values>
struct ValueSink {
  Values values;
  KOKKOS_INLINE_FUNCTION void operator()(int j, double value, double const (&)[P]) const {
    values(j) = value;
  }
};

// For every curve v: the starting values p(v, 0..P-1), then the model curve at them p(v, P..P+n-1), of a copy
// of `model` whose flip-angle scale is set to `b1` inside the kernel when `set_b1`.
template <class Model, class Mem>
struct StartKernel {
  Model model;
  bool set_b1;
  double b1;
  Kokkos::View<double**, Mem> y;
  Kokkos::View<double**, Mem> out;
  KOKKOS_INLINE_FUNCTION void operator()(int v) const {
    Model m = model;
    if constexpr (std::is_same_v<Model, voxflow::t1::SpgrModel<Mem>>) {
      if (set_b1) m.use_b1(b1);
    }
    auto const curve = Kokkos::subview(y, v, Kokkos::ALL());
    double p[Model::n_params];
    m.initial_guess(curve, p);
    for (int i = 0; i < Model::n_params; ++i) out(v, i) = p[i];
    auto const f = Kokkos::subview(
        out, v, Kokkos::make_pair(static_cast<int>(Model::n_params), static_cast<int>(out.extent(1))));
    ValueSink<Model::n_params, decltype(f)> values{f};
    m.evaluate(p, values);
  }
};

template <class Space, class Model>
std::vector<double> starts_of(Model const& model, bool set_b1, double b1,
                              std::vector<std::vector<double>> const& curves) {
  using Mem = typename Space::memory_space;
  int const n = static_cast<int>(curves.front().size());
  int const cols = Model::n_params + n;
  Kokkos::View<double**, Mem> y("y", curves.size(), n), out("out", curves.size(), cols);
  auto y_host = Kokkos::create_mirror_view(y);
  for (std::size_t v = 0; v < curves.size(); ++v)
    for (int j = 0; j < n; ++j) y_host(v, j) = curves[v][j];
  Kokkos::deep_copy(y, y_host);
  Kokkos::parallel_for("voxflow::test::t1::starts", Kokkos::RangePolicy<Space>(Space(), 0, curves.size()),
                       StartKernel<Model, Mem>{model, set_b1, b1, y, out});
  auto const host = to_host(out);
  std::vector<double> flat;
  for (std::size_t v = 0; v < curves.size(); ++v)
    for (int c = 0; c < cols; ++c) flat.push_back(host(v, c));
  return flat;
}

// Equal to 1e-12 relative, NaN equal to NaN.
void expect_identical(std::vector<double> const& a, std::vector<double> const& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    EXPECT_LE(std::fabs(a[i] - b[i]), 1e-12 * std::max(std::fabs(a[i]), std::fabs(b[i])))
        << "value " << i << ": " << a[i] << " against " << b[i];
  }
}

template <class ExecutionSpace>
class T1StartTables : public ::testing::Test {};
TYPED_TEST_SUITE(T1StartTables, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(T1StartTables, SpgrTablesGiveTheStartsOfAHandBuiltModel) {
  using Mem = typename TypeParam::memory_space;
  // 18 angles: more than the model keeps terms of, so the computed-on-demand angles are covered too.
  for (std::vector<double> const& fa_deg :
       {std::vector<double>{2.0, 5.0, 10.0, 15.0},
        std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 25, 30, 35}}) {
    std::vector<double> rad;
    for (double a : fa_deg) rad.push_back(a * 3.14159265358979323846 / 180.0);
    double const tr = 0.0051;
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::vector<std::vector<double>> curves;
    for (double t1 : {0.004, 0.3, 1.2, 4.0, 900.0}) {
      for (double sd : {0.0, 5.0, 80.0}) {
        std::vector<double> y;
        for (double a : fa_deg) y.push_back(spgr_signal(1000.0, t1, tr, a, 1.07) + sd * noise(rng));
        curves.push_back(y);
      }
    }
    auto const shared = voxflow::t1::make_spgr_model<Mem>(TypeParam(), rad, tr, "tables");
    voxflow::t1::SpgrModel<Mem> by_hand;
    by_hand.alpha = upload<double, Mem>(rad, "alpha");
    by_hand.tr = tr;
    SCOPED_TRACE(std::to_string(fa_deg.size()) + " flip angles");
    expect_identical(starts_of<TypeParam>(shared, false, 1.0, curves),
                     starts_of<TypeParam>(by_hand, false, 1.0, curves));
    for (double b1 : {0.8, 1.07}) {
      by_hand.b1 = b1;
      SCOPED_TRACE("B1 " + std::to_string(b1));
      expect_identical(starts_of<TypeParam>(shared, true, b1, curves),
                       starts_of<TypeParam>(by_hand, false, 1.0, curves));
    }
  }
}

TYPED_TEST(T1StartTables, LookLockerTablesGiveTheStartsOfAHandBuiltModel) {
  using Mem = typename TypeParam::memory_space;
  std::vector<double> const ti{0.05, 0.12, 0.3, 0.6, 1.0, 1.6, 2.5, 4.0};
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<std::vector<double>> curves;
  for (double rate : {0.002, 0.4, 1.3, 9.0, 700.0}) {
    for (double sd : {0.0, 10.0, 200.0}) {
      std::vector<double> y;
      for (double t : ti) y.push_back(1000.0 - 1900.0 * std::exp(-rate * t) + sd * noise(rng));
      curves.push_back(y);
    }
  }
  auto const ti_dev = upload<double, Mem>(ti, "ti");
  auto const shared = voxflow::t1::make_look_locker_model<Mem>(TypeParam(), ti_dev, "tables");
  voxflow::t1::LookLockerModel<Mem> by_hand;
  by_hand.ti = ti_dev;
  expect_identical(starts_of<TypeParam>(shared, false, 1.0, curves),
                   starts_of<TypeParam>(by_hand, false, 1.0, curves));
}

}  // namespace
