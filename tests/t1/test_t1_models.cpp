// The T1 models evaluated inside kernels on every execution space: the SPGR curve against an independent host
// formula, and both analytic Jacobians against central finite differences.
#include "execution_spaces.hpp"
#include "t1_test_support.hpp"

#include <voxflow/fit/model.hpp>
#include <voxflow/t1/look_locker_model.hpp>
#include <voxflow/t1/mapping_support.hpp>
#include <voxflow/t1/spgr_model.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

using namespace voxflow::t1::test;

// Evaluates model(p) and its Jacobian in one kernel: f(j), df(j, a).
template <class Model, class Mem>
struct GradientKernel {
  Model model;
  double p[Model::n_params];
  Kokkos::View<double*, Mem> f;
  Kokkos::View<double**, Mem> df;
  KOKKOS_INLINE_FUNCTION void operator()(int) const {
    voxflow::fit::GradientSink<Model::n_params, Kokkos::View<double*, Mem>, Kokkos::View<double**, Mem>> sink{
        f, df};
    double q[Model::n_params];
    for (int i = 0; i < Model::n_params; ++i) q[i] = p[i];
    model.evaluate(q, sink);
  }
};

struct HostGradient {
  std::vector<double> f;
  std::vector<std::vector<double>> df;  // [j][a]
};

template <class Space, class Model>
HostGradient gradient_on(Model const& model, std::vector<double> const& p) {
  using Mem = typename Space::memory_space;
  int const n = model.n_samples();
  GradientKernel<Model, Mem> kernel{
      model, {}, Kokkos::View<double*, Mem>("f", n), Kokkos::View<double**, Mem>("df", n, Model::n_params)};
  for (int i = 0; i < Model::n_params; ++i) kernel.p[i] = p[i];
  Kokkos::parallel_for("voxflow::test::t1::gradient", Kokkos::RangePolicy<Space>(Space(), 0, 1), kernel);
  auto const f = to_host(kernel.f);
  auto const df = to_host(kernel.df);
  HostGradient g{std::vector<double>(n),
                 std::vector<std::vector<double>>(n, std::vector<double>(Model::n_params))};
  for (int j = 0; j < n; ++j) {
    g.f[j] = f(j);
    for (int a = 0; a < Model::n_params; ++a) g.df[j][a] = df(j, a);
  }
  return g;
}

// Central differences with a relative step; the analytic derivative must agree to 1e-6 of the derivative's
// scale.
template <class Space, class Model>
void expect_jacobian_matches_central_differences(Model const& model, std::vector<double> const& p) {
  auto const g = gradient_on<Space>(model, p);
  for (int a = 0; a < Model::n_params; ++a) {
    double const h = 1e-6 * std::max(std::fabs(p[a]), 1e-3);
    auto plus = p, minus = p;
    plus[a] += h;
    minus[a] -= h;
    auto const gp = gradient_on<Space>(model, plus), gm = gradient_on<Space>(model, minus);
    double scale = 0.0;
    for (std::size_t j = 0; j < g.f.size(); ++j) scale = std::max(scale, std::fabs(g.df[j][a]));
    for (std::size_t j = 0; j < g.f.size(); ++j) {
      double const numeric = (gp.f[j] - gm.f[j]) / (2.0 * h);
      EXPECT_NEAR(g.df[j][a], numeric, 1e-6 * scale + 1e-12) << "parameter " << a << " sample " << j;
    }
  }
}

template <class Mem>
voxflow::t1::SpgrModel<Mem> spgr_model(std::vector<double> const& fa_deg, double tr, double b1) {
  std::vector<double> rad;
  for (double a : fa_deg) rad.push_back(a * 3.14159265358979323846 / 180.0);
  voxflow::t1::SpgrModel<Mem> m;
  m.alpha = upload<double, Mem>(rad, "alpha");
  m.tr = tr;
  m.b1 = b1;
  return m;
}

template <class ExecutionSpace>
class T1Models : public ::testing::Test {};
TYPED_TEST_SUITE(T1Models, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(T1Models, SpgrCurveMatchesTheTextbookFormula) {
  using Mem = typename TypeParam::memory_space;
  std::vector<double> const fa{1.0, 3.0, 10.0, 35.0, 90.0, 150.0};
  for (double t1 : {0.005, 0.02, 1.0, 5.0, 200.0}) {
    for (double b1 : {1.0, 0.7, 1.1}) {
      auto const g = gradient_on<TypeParam>(spgr_model<Mem>(fa, 0.005, b1), {3.0, 1.0 / t1});
      for (std::size_t j = 0; j < fa.size(); ++j)
        EXPECT_LT(relative_error(g.f[j], spgr_signal(3.0, t1, 0.005, fa[j], b1)), 1e-10) << "T1 " << t1;
    }
  }
}

TYPED_TEST(T1Models, SpgrJacobianMatchesCentralDifferences) {
  using Mem = typename TypeParam::memory_space;
  std::vector<double> const fa{2.0, 5.0, 12.0, 30.0, 70.0};
  for (double r1 : {0.2, 1.0, 45.0}) {
    for (double b1 : {1.0, 0.85, 1.2}) {
      SCOPED_TRACE("R1 " + std::to_string(r1) + ", B1 " + std::to_string(b1));
      expect_jacobian_matches_central_differences<TypeParam>(spgr_model<Mem>(fa, 0.0054, b1), {1234.0, r1});
    }
  }
}

TYPED_TEST(T1Models, LookLockerJacobianMatchesCentralDifferences) {
  using Mem = typename TypeParam::memory_space;
  voxflow::t1::LookLockerModel<Mem> model;
  model.ti = upload<double, Mem>({0.05, 0.2, 0.5, 1.0, 2.0, 4.0}, "ti");
  for (double rate : {0.3, 1.5, 8.0}) {
    SCOPED_TRACE("R1* " + std::to_string(rate));
    expect_jacobian_matches_central_differences<TypeParam>(model, {900.0, 1700.0, rate});
  }
}

}  // namespace
