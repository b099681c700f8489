// Invalid T1-mapping inputs are rejected on the host, before any kernel, with an InputError that names the
// field.
#include "execution_spaces.hpp"
#include "t1_test_support.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/t1/look_locker_mapping.hpp>
#include <voxflow/t1/vfa_mapping.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {

using voxflow::t1::T1Method;
using namespace voxflow::t1::test;

double const nan = std::numeric_limits<double>::quiet_NaN();
double const inf = std::numeric_limits<double>::infinity();

// Runs `call` and expects an InputError whose message names `field`.
template <class Call>
void expect_input_error(Call&& call, std::string const& field) {
  try {
    call();
    ADD_FAILURE() << "expected an InputError naming '" << field << "'";
  } catch (voxflow::InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("field '" + field), std::string::npos) << e.what();
  }
}

HostSignal signal(int voxels, int samples) {
  HostSignal y("y", voxels, samples);
  Kokkos::deep_copy(y, 100.0);
  return y;
}

template <class ExecutionSpace>
class T1Inputs : public ::testing::Test {};
TYPED_TEST_SUITE(T1Inputs, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(T1Inputs, VfaRejectsBadFlipAnglesTrAndShapes) {
  auto vfa = [](HostSignal const& y, std::vector<double> const& fa, double tr,
                std::vector<double> const& b1 = {}, std::vector<std::uint8_t> const& mask = {},
                T1Method method = T1Method::nonlinear) {
    return [=] { run_vfa<TypeParam>(y, fa, tr, b1, mask, method); };
  };
  expect_input_error(vfa(signal(2, 1), {10.0}, 0.005), "flip_angles");                 // fewer than two
  expect_input_error(vfa(signal(2, 3), {0.0, 10.0, 20.0}, 0.005), "flip_angles[0]");   // 0 deg
  expect_input_error(vfa(signal(2, 3), {5.0, 180.0, 20.0}, 0.005), "flip_angles[1]");  // 180 deg
  expect_input_error(vfa(signal(2, 3), {5.0, 10.0, -20.0}, 0.005), "flip_angles[2]");  // negative
  expect_input_error(vfa(signal(2, 3), {5.0, nan, 20.0}, 0.005), "flip_angles[1]");    // NaN
  expect_input_error(vfa(signal(2, 3), {7.0, 7.0, 7.0}, 0.005), "flip_angles");        // all equal
  expect_input_error(vfa(signal(2, 3), {7.0, 20.0, 7.0}, 0.005, {}, {}, T1Method::two_point), "flip_angles");
  for (double tr : {0.0, -0.005, nan, inf})
    expect_input_error(vfa(signal(2, 3), {3.0, 10.0, 20.0}, tr), "tr");
  expect_input_error(vfa(signal(2, 4), {3.0, 10.0, 20.0}, 0.005), "signal");  // samples != flip angles
  expect_input_error(vfa(signal(2, 3), {3.0, 10.0, 20.0}, 0.005, {1.0, 1.0, 1.0}), "b1");
  expect_input_error(vfa(signal(2, 3), {3.0, 10.0, 20.0}, 0.005, {}, {1}), "mask");
}

TYPED_TEST(T1Inputs, VfaRejectsOutputsOfTheWrongSize) {
  using Mem = typename TypeParam::memory_space;
  TypeParam space;
  auto const data = voxflow::upload_series<Mem>(signal(3, 3), "y");
  voxflow::t1::T1Outputs<Mem> out(space, "out", 2);
  expect_input_error(
      [&] {
        voxflow::t1::map_t1_vfa(space, data, upload<double, Mem>({3.0, 10.0, 20.0}, "fa"), 0.005, {}, {},
                                T1Method::linear, out);
      },
      "outputs");
}

TYPED_TEST(T1Inputs, LookLockerRejectsBadInversionTimes) {
  auto ll = [](HostSignal const& y, std::vector<double> const& ti,
               std::vector<std::uint8_t> const& mask = {}) {
    return [=] { run_look_locker<TypeParam>(y, ti, mask); };
  };
  expect_input_error(ll(signal(2, 2), {0.1, 0.2}), "inversion_times");           // fewer than three
  expect_input_error(ll(signal(2, 3), {0.1, 0.3, 0.2}), "inversion_times[2]");   // decreasing
  expect_input_error(ll(signal(2, 3), {0.1, 0.1, 0.2}), "inversion_times[1]");   // repeated
  expect_input_error(ll(signal(2, 3), {-0.1, 0.1, 0.2}), "inversion_times[0]");  // negative
  expect_input_error(ll(signal(2, 3), {0.1, nan, 0.2}), "inversion_times[1]");   // NaN
  expect_input_error(ll(signal(2, 4), {0.1, 0.2, 0.3}), "signal");               // samples != TIs
  expect_input_error(ll(signal(2, 3), {0.1, 0.2, 0.3}, {1, 1, 1}), "mask");
}

}  // namespace
