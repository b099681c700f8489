// Population AIF evaluators and the population_aif host API on every enabled execution space: published
// values, bolus delay, hematocrit conversion and input validation.
#include "aif_test_helpers.hpp"
#include "execution_spaces.hpp"
#include "reference_data.hpp"

#include <voxflow/aif/aif_curve.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/io/csv_table.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace {

using voxflow::aif::AifOptions;
using voxflow::aif::AifQuantity;
using voxflow::aif::PopulationAif;
using voxflow::testing::sample_aif;
using voxflow::testing::uniform_times;

constexpr PopulationAif all_kinds[] = {PopulationAif::parker,       PopulationAif::weinmann,
                                       PopulationAif::fritz_hansen, PopulationAif::georgiou,
                                       PopulationAif::mcgrath,      PopulationAif::preclinical};

AifOptions blood() {
  AifOptions o;
  o.quantity = AifQuantity::blood;
  o.hematocrit = 0.0;
  return o;
}

// Expects `f` to throw InputError whose message names `field`.
template <class F>
void expect_input_error(F&& f, std::string const& field) {
  try {
    f();
    ADD_FAILURE() << "expected an InputError naming '" << field << "'";
  } catch (voxflow::InputError const& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

template <class ExecutionSpace>
class PopulationAifTest : public ::testing::Test {};
TYPED_TEST_SUITE(PopulationAifTest, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(PopulationAifTest, ParkerPeaksAt6mMNear10sAndMatchesTheFormula) {
  auto const t = uniform_times(300.0, 0.01);
  auto const cb = sample_aif<TypeParam>(PopulationAif::parker, t, blood());
  auto const top = std::max_element(cb.begin(), cb.end()) - cb.begin();
  EXPECT_NEAR(cb[top], 6.07, 0.03);
  EXPECT_NEAR(t[top], 10.35, 0.5);
  EXPECT_NEAR(cb[0], 0.0804, 1e-4);  // Parker does not start at 0
  for (std::size_t i = 0; i < t.size(); i += 97)
    EXPECT_NEAR(cb[i], voxflow::testing::parker_reference(t[i]), 1e-12 * (1.0 + cb[i])) << "t=" << t[i];
}

TYPED_TEST(PopulationAifTest, PublishedValuesOfTheOtherCurves) {
  AifOptions native = blood();  // Hct = 0: blood and plasma coincide
  std::vector<double> const t = {0.0, 3.5, 7.0, 18.0, 27.0, 60.0};
  auto const weinmann = sample_aif<TypeParam>(PopulationAif::weinmann, t, native);
  EXPECT_NEAR(weinmann[0], 0.877, 1e-12);
  EXPECT_NEAR(weinmann[5], 0.1 * (3.99 * std::exp(-0.144) + 4.78 * std::exp(-0.0111)), 1e-12);
  auto const fritz_hansen = sample_aif<TypeParam>(PopulationAif::fritz_hansen, t, native);
  EXPECT_NEAR(fritz_hansen[0], 8.77, 1e-12);  // osipy's curve: the Weinmann constants without the dose
  auto const mcgrath = sample_aif<TypeParam>(PopulationAif::mcgrath, t, native);
  EXPECT_EQ(mcgrath[0], 0.0);
  EXPECT_NEAR(mcgrath[3], 4.0 * 4.0 * std::exp(-1.0) + 0.5 * std::exp(-0.1 * 0.3),
              1e-12);  // gamma peak at 0.3 min
  auto const preclinical = sample_aif<TypeParam>(PopulationAif::preclinical, t, native);
  EXPECT_EQ(preclinical[0], 0.0);
  EXPECT_NEAR(preclinical[1], 5.21 / 2, 1e-12);
  EXPECT_NEAR(preclinical[2], 5.21, 1e-12);
  EXPECT_NEAR(preclinical[4], 3.4 * std::exp(-0.045 * 20) + 1.81 * std::exp(-0.0015 * 20), 1e-12);
}

TYPED_TEST(PopulationAifTest, GeorgiouHasTheShapeOfThePublishedCurve) {
  auto const t = uniform_times(300.0, 0.1);
  auto const cb = sample_aif<TypeParam>(PopulationAif::georgiou, t, blood());
  EXPECT_EQ(cb[0], 0.0);
  auto const top = std::max_element(cb.begin(), cb.end()) - cb.begin();
  EXPECT_NEAR(cb[top], 8.62, 0.05);  // first pass
  EXPECT_NEAR(t[top], 7.5, 0.3);
  // Recirculation: a trough near 20 s, then a second peak near 29 s.
  EXPECT_LT(cb[204], cb[294]);
  EXPECT_NEAR(cb[294], 2.0, 0.05);
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_GT(cb[i], 0.0);
  EXPECT_NEAR(cb.back(), 0.649, 0.005);
}

TYPED_TEST(PopulationAifTest, DelayGivesExactZerosBeforeTheArrival) {
  double const delay = 12.3;
  auto const t = uniform_times(120.0, 0.5);
  AifOptions delayed = blood();
  delayed.delay_s = delay;
  for (PopulationAif kind : all_kinds) {
    auto const shifted = sample_aif<TypeParam>(kind, t, delayed);
    std::vector<double> since_arrival;
    for (double ti : t) since_arrival.push_back(std::max(ti - delay, 0.0));
    auto const reference = sample_aif<TypeParam>(kind, since_arrival, blood());
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] < delay)
        EXPECT_EQ(shifted[i], 0.0) << voxflow::aif::population_aif_name(kind) << " t=" << t[i];
      else
        EXPECT_DOUBLE_EQ(shifted[i], reference[i])
            << voxflow::aif::population_aif_name(kind) << " t=" << t[i];
    }
  }
  // Parker jumps to its t = 0 value at the arrival.
  auto const at_arrival = sample_aif<TypeParam>(PopulationAif::parker, {delay - 1e-9, delay}, delayed);
  EXPECT_EQ(at_arrival[0], 0.0);
  EXPECT_NEAR(at_arrival[1], 0.0804, 1e-4);
}

TYPED_TEST(PopulationAifTest, HematocritConvertsBetweenBloodAndPlasma) {
  auto const t = uniform_times(90.0, 1.5);
  for (PopulationAif kind : all_kinds) {
    AifOptions b = blood(), p = blood();
    b.hematocrit = p.hematocrit = 0.42;
    p.quantity = AifQuantity::plasma;
    auto const cb = sample_aif<TypeParam>(kind, t, b);
    auto const cp = sample_aif<TypeParam>(kind, t, p);
    for (std::size_t i = 0; i < t.size(); ++i)
      EXPECT_NEAR(cp[i], cb[i] / (1.0 - 0.42), 1e-12 * (1.0 + cp[i]));
  }
  // Parker is a blood curve: its plasma curve is Cb / (1 - Hct), and the defaults are plasma with Hct 0.42.
  auto const cp_default = sample_aif<TypeParam>(PopulationAif::parker, {10.0}, AifOptions{});
  EXPECT_NEAR(cp_default[0], voxflow::testing::parker_reference(10.0) / 0.58, 1e-12);
  // Weinmann is a plasma curve (Tofts & Kermode): the plasma value is the published one whatever the
  // hematocrit.
  auto const weinmann_plasma = sample_aif<TypeParam>(PopulationAif::weinmann, {0.0}, AifOptions{});
  EXPECT_NEAR(weinmann_plasma[0], 0.877, 1e-12);
}

TYPED_TEST(PopulationAifTest, BadInputsThrowInputErrorNamingTheField) {
  using Mem = typename TypeParam::memory_space;
  auto const run = [](std::vector<double> const& t, AifOptions const& o, std::size_t n_out) {
    auto const times = voxflow::testing::to_device<TypeParam>(t);
    Kokkos::View<double*, Mem> out("out", n_out);
    voxflow::aif::population_aif(TypeParam(), PopulationAif::parker, times, o, out);
  };
  expect_input_error([&] { run({0.0, 2.0, 1.0}, AifOptions{}, 3); }, "times_s");
  expect_input_error([&] { run({0.0, NAN, 3.0}, AifOptions{}, 3); }, "times_s");
  AifOptions o;
  o.hematocrit = 1.0;
  expect_input_error([&] { run({0.0, 1.0}, o, 2); }, "hematocrit");
  o.hematocrit = -0.1;
  expect_input_error([&] { run({0.0, 1.0}, o, 2); }, "hematocrit");
  o = AifOptions{};
  o.delay_s = INFINITY;
  expect_input_error([&] { run({0.0, 1.0}, o, 2); }, "delay_s");
  expect_input_error([&] { run({0.0, 1.0}, AifOptions{}, 3); }, "out");
  EXPECT_NO_THROW(run({0.0, 1.0, 1.0, 2.0}, AifOptions{}, 4));  // repeated times are allowed
}

}  // namespace

TEST(PopulationAifNames, ParseEveryNameAndListTheChoicesOnError) {
  for (PopulationAif kind : all_kinds)
    EXPECT_EQ(voxflow::aif::parse_population_aif(voxflow::aif::population_aif_name(kind)), kind);
  EXPECT_EQ(voxflow::aif::parse_population_aif("Fritz-Hansen"), PopulationAif::fritz_hansen);
  EXPECT_EQ(voxflow::aif::parse_population_aif("PARKER"), PopulationAif::parker);
  try {
    voxflow::aif::parse_population_aif("orton", "run.yaml", "dce.population_aif");
    ADD_FAILURE() << "expected an InputError";
  } catch (voxflow::InputError const& e) {
    std::string const what = e.what();
    for (char const* name : {"run.yaml", "dce.population_aif", "orton", "parker", "weinmann", "fritz_hansen",
                             "georgiou", "mcgrath", "preclinical"})
      EXPECT_NE(what.find(name), std::string::npos) << what;
  }
}

TEST(PopulationAifNames, ParkerConstantsMatchTheOsipiParameterTable) {
  auto const table = voxflow::io::CsvTable::read(voxflow::testing::reference_file("dce/aif/ParkerAIF.csv"));
  namespace p = voxflow::aif::parker;
  std::pair<char const*, double> const expected[] = {
      {"A1", p::A1}, {"sigma1", p::sigma1}, {"T1", p::T1},     {"A2", p::A2}, {"sigma2", p::sigma2},
      {"T2", p::T2}, {"alpha", p::alpha},   {"beta", p::beta}, {"s", p::s},   {"tau", p::tau}};
  for (auto const& [name, value] : expected) EXPECT_DOUBLE_EQ(table.number(0, name), value) << name;
}
