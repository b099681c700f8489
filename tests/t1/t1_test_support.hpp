// Shared helpers of the T1 tests: host-side forward signals with known truth, and calls of the public T1 API
// on any execution space with host inputs and host copies of every output.
#ifndef VOXFLOW_TESTS_T1_TEST_SUPPORT_HPP
#define VOXFLOW_TESTS_T1_TEST_SUPPORT_HPP

#include <voxflow/core/backend.hpp>
#include <voxflow/t1/look_locker_mapping.hpp>
#include <voxflow/t1/vfa_mapping.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace voxflow::t1::test {

using HostSignal = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace>;

// The SPGR signal written independently of the library (plain std:: math), for synthetic data.
inline double spgr_signal(double m0, double t1_s, double tr_s, double alpha_deg, double b1 = 1.0) {
  double const a = b1 * alpha_deg * 3.14159265358979323846 / 180.0;
  double const e1 = std::exp(-tr_s / t1_s);
  return m0 * std::sin(a) * (1.0 - e1) / (1.0 - std::cos(a) * e1);
}

template <class T, class Mem>
Kokkos::View<T const*, Mem> upload(std::vector<T> const& values, std::string const& label) {
  Kokkos::View<T*, Mem> view(label, values.size());
  auto host = Kokkos::create_mirror_view(view);
  for (std::size_t i = 0; i < values.size(); ++i) host(i) = values[i];
  Kokkos::deep_copy(view, host);
  return view;
}

template <class View>
auto to_host(View const& v) {
  return Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
}

struct HostT1 {
  Kokkos::View<double*, Kokkos::HostSpace> t1, r1, m0, r2, sse;
  Kokkos::View<std::uint8_t*, Kokkos::HostSpace> status;
  Kokkos::View<std::uint16_t*, Kokkos::HostSpace> iterations;
  FitStatus status_of(int v) const { return static_cast<FitStatus>(status(v)); }
};

template <class Space>
HostT1 run_vfa(HostSignal const& signal, std::vector<double> const& fa_deg, double tr_s,
               std::vector<double> const& b1, std::vector<std::uint8_t> const& mask, T1Method method,
               T1Options const& options = {}) {
  using Mem = typename Space::memory_space;
  Space space;
  auto const data = upload_series<Mem>(signal, "voxflow::test::t1::signal");
  T1Outputs<Mem> out(space, "voxflow::test::t1", static_cast<int>(signal.extent(0)));
  map_t1_vfa(space, data, upload<double, Mem>(fa_deg, "fa"), tr_s, upload<double, Mem>(b1, "b1"),
             upload<std::uint8_t, Mem>(mask, "mask"), method, out, options);
  return HostT1{to_host(out.t1),  to_host(out.r1),     to_host(out.m0),        to_host(out.r2),
                to_host(out.sse), to_host(out.status), to_host(out.iterations)};
}

struct HostLookLocker {
  Kokkos::View<double*, Kokkos::HostSpace> t1, r1, t1_star, a, b, r2;
  Kokkos::View<std::uint8_t*, Kokkos::HostSpace> status;
  FitStatus status_of(int v) const { return static_cast<FitStatus>(status(v)); }
};

template <class Space>
HostLookLocker run_look_locker(HostSignal const& signal, std::vector<double> const& ti_s,
                               std::vector<std::uint8_t> const& mask = {}) {
  using Mem = typename Space::memory_space;
  Space space;
  auto const data = upload_series<Mem>(signal, "voxflow::test::t1::ll_signal");
  LookLockerOutputs<Mem> out(space, "voxflow::test::t1::ll", static_cast<int>(signal.extent(0)));
  map_t1_look_locker(space, data, upload<double, Mem>(ti_s, "ti"), upload<std::uint8_t, Mem>(mask, "mask"),
                     out);
  return HostLookLocker{to_host(out.t1), to_host(out.r1), to_host(out.t1_star), to_host(out.a),
                        to_host(out.b),  to_host(out.r2), to_host(out.status)};
}

inline double relative_error(double estimate, double truth) {
  return std::fabs(estimate - truth) / std::fabs(truth);
}

}  // namespace voxflow::t1::test

#endif
