// DCE models on every execution space: analytic Jacobians against central differences, exact recovery of the
// parameters from noise-free forward curves (with and without a fitted delay), and agreement of the exact
// convolution with an independent fine-step quadrature.
#include "dce_test_support.hpp"
#include "execution_spaces.hpp"

#include <voxflow/dce/fit_dce.hpp>
#include <voxflow/dce/predict_dce.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

using voxflow::FitStatus;
using voxflow::dce::DceFitOptions;
using voxflow::dce::DceModel;

constexpr DceModel all_models[] = {DceModel::tofts, DceModel::extended_tofts, DceModel::patlak,
                                   DceModel::two_compartment_exchange, DceModel::two_compartment_uptake};

// Typical parameters (internal units) of each model, scaled by `u` in [0, 1) for variety.
std::vector<double> typical_parameters(DceModel model, double u, bool delay) {
  std::vector<double> p;
  switch (model) {
    case DceModel::tofts:
      p = {0.05 + 0.4 * u, 0.1 + 0.4 * u};
      break;
    case DceModel::extended_tofts:
      p = {0.05 + 0.4 * u, 0.1 + 0.4 * u, 0.01 + 0.08 * u};
      break;
    case DceModel::patlak:
      p = {0.01 + 0.1 * u, 0.02 + 0.1 * u};
      break;
    case DceModel::two_compartment_exchange:
      p = {0.1 + 0.5 * u, 0.05 + 0.2 * u, 0.1 + 0.3 * u, 0.02 + 0.1 * u};
      break;
    case DceModel::two_compartment_uptake:
      p = {0.1 + 0.5 * u, 0.01 + 0.1 * u, 0.02 + 0.1 * u};
      break;
  }
  if (delay) p.push_back(1.0 + 8.0 * u);
  return p;
}

struct Problem {
  std::vector<double> t, ta, ca;
};

// 4.1 s frames, AIF onset at 20 s, sampled on its own 1 s grid.
Problem clinical_problem() {
  Problem pr;
  pr.t = voxflow::testing::uniform_times(75, 4.1);
  pr.ta = voxflow::testing::uniform_times(320, 1.0);
  pr.ca = voxflow::testing::parker_plasma(pr.ta, 20.0);
  return pr;
}

template <class ExecutionSpace>
std::vector<std::vector<double>> predict(Problem const& pr, DceFitOptions const& o,
                                         std::vector<std::vector<double>> const& params) {
  using Mem = typename ExecutionSpace::memory_space;
  auto const in = voxflow::dce::make_dce_inputs<Mem>(pr.t, pr.ta, pr.ca, "test");
  auto const p = voxflow::testing::upload_maps<Mem>(params);
  voxflow::Series<Mem> out("out", params.size(), pr.t.size());
  voxflow::dce::predict_dce(ExecutionSpace(), in, o, p, out);
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  std::vector<std::vector<double>> curves(params.size(), std::vector<double>(pr.t.size()));
  for (std::size_t v = 0; v < params.size(); ++v)
    for (std::size_t j = 0; j < pr.t.size(); ++j) curves[v][j] = h(v, j);
  return curves;
}

// Model curve and analytic gradient at p, written by a kernel.
template <class ExecutionSpace, class Model>
void gradient_on(Model const& model, std::vector<double> const& p, std::vector<double>& f,
                 std::vector<std::vector<double>>& df) {
  using Mem = typename ExecutionSpace::memory_space;
  constexpr int P = Model::n_params;
  int const n = model.n_samples();
  Kokkos::View<double*, Mem> fv("f", n);
  Kokkos::View<double**, Mem> dfv("df", n, P);
  Kokkos::View<double*, Mem> pv("p", P);
  auto ph = Kokkos::create_mirror_view(pv);
  for (int i = 0; i < P; ++i) ph(i) = p[i];
  Kokkos::deep_copy(pv, ph);
  Kokkos::parallel_for(
      "voxflow::test::gradient", Kokkos::RangePolicy<ExecutionSpace>(0, 1), KOKKOS_LAMBDA(int) {
        double q[P];
        for (int i = 0; i < P; ++i) q[i] = pv(i);
        voxflow::fit::GradientSink<P, decltype(fv), decltype(dfv)> sink{fv, dfv};
        model.evaluate(q, sink);
      });
  auto fh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), fv);
  auto dh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dfv);
  f.assign(n, 0.0);
  df.assign(P, std::vector<double>(n, 0.0));
  for (int j = 0; j < n; ++j) {
    f[j] = fh(j);
    for (int i = 0; i < P; ++i) df[i][j] = dh(j, i);
  }
}

template <class ExecutionSpace, class Model>
void check_jacobian(Model const& model, std::vector<double> const& p, char const* what) {
  std::vector<double> f, f_up, f_down;
  std::vector<std::vector<double>> df, unused;
  gradient_on<ExecutionSpace>(model, p, f, df);
  double scale = 0.0;
  for (double v : f) scale = std::max(scale, std::fabs(v));
  for (std::size_t i = 0; i < p.size(); ++i) {
    double const h = 1e-6 * std::max(std::fabs(p[i]), 1e-2);
    auto up = p, down = p;
    up[i] += h;
    down[i] -= h;
    gradient_on<ExecutionSpace>(model, up, f_up, unused);
    gradient_on<ExecutionSpace>(model, down, f_down, unused);
    double worst = 0.0;
    for (std::size_t j = 0; j < f.size(); ++j) {
      double const fd = (f_up[j] - f_down[j]) / (2 * h);
      worst = std::max(worst, std::fabs(fd - df[i][j]) * std::max(std::fabs(p[i]), 1e-2));
    }
    EXPECT_LT(worst, 1e-6 * scale) << what << ": parameter " << i;
  }
}

template <class ExecutionSpace>
class DceModels : public ::testing::Test {};
TYPED_TEST_SUITE(DceModels, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(DceModels, AnalyticJacobiansMatchCentralDifferences) {
  using Mem = typename TypeParam::memory_space;
  auto const pr = clinical_problem();
  auto const in = voxflow::dce::make_dce_inputs<Mem>(pr.t, pr.ta, pr.ca, "test");
  // Delays off the AIF grid so that partial intervals are exercised, and with no shifted frame on an AIF
  // knot, where Cp(t - delay) has a kink and central differences straddle it.
  check_jacobian<TypeParam>(voxflow::dce::ToftsModel<Mem, true>(in), {0.3, 0.25, 3.3}, "tofts+delay");
  check_jacobian<TypeParam>(voxflow::dce::ExtendedToftsModel<Mem, true>(in), {0.2, 0.3, 0.05, 6.73},
                            "etofts+delay");
  check_jacobian<TypeParam>(voxflow::dce::ExtendedToftsModel<Mem, false>(in), {0.2, 0.3, 0.05}, "etofts");
  check_jacobian<TypeParam>(voxflow::dce::PatlakModel<Mem, true>(in), {0.05, 0.1, 2.23}, "patlak+delay");
  check_jacobian<TypeParam>(voxflow::dce::TwoCompartmentExchangeModel<Mem, true>(in),
                            {0.4, 0.12, 0.2, 0.06, 4.4}, "2cxm+delay");
  check_jacobian<TypeParam>(voxflow::dce::TwoCompartmentExchangeModel<Mem, false>(in),
                            {0.05, 0.15, 0.1, 0.02}, "2cxm");
  check_jacobian<TypeParam>(voxflow::dce::TwoCompartmentUptakeModel<Mem, true>(in), {0.3, 0.02, 0.05, 1.5},
                            "2cum+delay");
}

TYPED_TEST(DceModels, NoiseFreeCurvesAreRecoveredTo1e6) {
  using Mem = typename TypeParam::memory_space;
  auto const pr = clinical_problem();
  auto const in = voxflow::dce::make_dce_inputs<Mem>(pr.t, pr.ta, pr.ca, "test");
  for (bool delay : {false, true}) {
    for (DceModel model : all_models) {
      DceFitOptions o;
      o.model = model;
      o.fit_delay = delay;
      std::vector<std::vector<double>> truth;
      for (int v = 0; v < 24; ++v) truth.push_back(typical_parameters(model, (v + 0.5) / 24.0, delay));
      auto const curves = predict<TypeParam>(pr, o, truth);
      Kokkos::View<double**, Kokkos::HostSpace> y("y", curves.size(), pr.t.size());
      for (std::size_t v = 0; v < curves.size(); ++v)
        for (std::size_t j = 0; j < pr.t.size(); ++j) y(v, j) = curves[v][j];
      auto const conc = voxflow::upload_series<Mem>(y, "conc");
      int const n_params = static_cast<int>(truth[0].size());
      voxflow::fit::FitOutputs<Mem> out(TypeParam(), "fit", static_cast<int>(truth.size()), n_params);
      voxflow::dce::fit_dce(TypeParam(), conc, in, Kokkos::View<std::uint8_t const*, Mem>(), o, out);
      auto params = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.params);
      auto status = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.status);
      for (std::size_t v = 0; v < truth.size(); ++v) {
        EXPECT_EQ(static_cast<FitStatus>(status(v)), FitStatus::converged)
            << voxflow::dce::dce_model_name(model) << " delay " << delay << " voxel " << v;
        for (int i = 0; i < n_params; ++i)
          EXPECT_NEAR(params(v, i), truth[v][i], 1e-6 * std::fabs(truth[v][i]))
              << voxflow::dce::dce_model_name(model) << " delay " << delay << " voxel " << v << " parameter "
              << i;
      }
    }
  }
}

TYPED_TEST(DceModels, ExactConvolutionMatchesFineQuadratureOfTheModelEquations) {
  // Extended Tofts on a coarse non-uniform grid against a 0.01 s rectangle-free trapezoid quadrature of
  // Ktrans * int Cp(u) exp(-kep (t - u)) du + vp Cp(t), with Cp linear between its samples.
  Problem pr;
  pr.t = {0, 3, 5, 9, 14, 20, 27, 35, 44, 54, 65, 80, 100, 130, 170, 220};
  pr.ta = voxflow::testing::uniform_times(230, 1.0);
  pr.ca = voxflow::testing::parker_plasma(pr.ta, 10.0);
  DceFitOptions o;
  o.model = DceModel::extended_tofts;
  double const ktrans = 0.25, ve = 0.3, vp = 0.04, kep = ktrans / ve;
  auto const curve = predict<TypeParam>(pr, o, {{ktrans, ve, vp}})[0];
  auto cp = [&](double t) {
    if (t < pr.ta.front()) return 0.0;
    std::size_t i = static_cast<std::size_t>(t - pr.ta.front());
    if (i + 1 >= pr.ta.size()) return pr.ca.back();
    double const w = t - pr.ta[i];
    return pr.ca[i] * (1 - w) + pr.ca[i + 1] * w;
  };
  for (std::size_t j = 0; j < pr.t.size(); ++j) {
    double const t = pr.t[j];
    int const steps = static_cast<int>(t / 0.01 + 0.5);
    double integral = 0.0;
    for (int s = 0; s <= steps; ++s) {
      double const u = s * 0.01;
      double const w = (s == 0 || s == steps) ? 0.5 : 1.0;
      integral += w * 0.01 * cp(u) * std::exp(-kep * (t - u) / 60.0);
    }
    double const expected = ktrans * integral / 60.0 + vp * cp(t);
    EXPECT_NEAR(curve[j], expected, 2e-5 * (1.0 + expected)) << "t = " << t;
  }
}

}  // namespace

TEST(DceInputs, BadTimingAndAifAreRejectedBeforeFitting) {
  std::vector<double> t{0, 1, 2, 3}, ta{0, 1, 2, 3}, ca{0, 1, 2, 1};
  EXPECT_NO_THROW(voxflow::dce::validate_dce_inputs(t, ta, ca, "run.yaml"));
  EXPECT_THROW(voxflow::dce::validate_dce_inputs({0, 2, 1, 3}, ta, ca, "run.yaml"), voxflow::InputError);
  EXPECT_THROW(voxflow::dce::validate_dce_inputs(t, ta, {0, 1, NAN, 1}, "run.yaml"), voxflow::InputError);
  EXPECT_THROW(voxflow::dce::validate_dce_inputs(t, ta, {0, 1, 2}, "run.yaml"), voxflow::InputError);
  EXPECT_THROW(voxflow::dce::validate_dce_inputs({0, 1}, ta, ca, "run.yaml"), voxflow::InputError);
  try {
    voxflow::dce::validate_dce_inputs({0, 2, 2, 3}, ta, ca, "time.txt");
    FAIL();
  } catch (voxflow::InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("time.txt"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("increasing"), std::string::npos);
  }
}

TEST(DceModelNames, ParseAndNameRoundTrip) {
  for (DceModel m : all_models) {
    DceModel parsed;
    ASSERT_TRUE(voxflow::dce::parse_dce_model(voxflow::dce::dce_model_name(m), parsed));
    EXPECT_EQ(parsed, m);
    EXPECT_EQ(voxflow::dce::dce_parameter_names(m, true).back(), "delay");
    EXPECT_EQ(voxflow::dce::dce_parameter_names(m, false).size(),
              voxflow::dce::dce_parameter_units(m, false).size());
  }
  DceModel parsed;
  EXPECT_FALSE(voxflow::dce::parse_dce_model("Tofts", parsed));
}
