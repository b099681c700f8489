// Shared helpers of the IVIM tests: protocols, clean and noisy curves, and one call of fit_ivim on a chosen
// execution space with the results back on the host.
#ifndef VOXFLOW_TESTS_IVIM_IVIM_TEST_SUPPORT_HPP
#define VOXFLOW_TESTS_IVIM_IVIM_TEST_SUPPORT_HPP

#include <voxflow/ivim/fit_ivim.hpp>

#include <array>
#include <limits>
#include <vector>

namespace voxflow::testing {

using IvimTruth = std::array<double, 4>;  // S0, D, D*, f

// Protocols of different shapes: few and many b-values, maximum b from 500 to 1200.
inline std::vector<std::vector<double>> ivim_protocols() {
  return {{0, 10, 20, 30, 50, 80, 100, 200, 400, 600, 800},
          {0, 1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 250, 350, 400, 550, 700, 850, 1000},
          {0, 20, 50, 100, 200, 350, 500},
          {0, 10, 30, 60, 100, 150, 300, 600, 900, 1200}};
}

inline std::vector<double> ivim_curve(std::vector<double> const& b, IvimTruth const& t) {
  std::vector<double> s(b.size());
  double const p[ivim::ivim_parameter_count] = {t[0], t[1], t[2], t[3]};
  for (std::size_t j = 0; j < b.size(); ++j) {
    double grad[ivim::ivim_parameter_count];
    s[j] = ivim::ivim_signal(b[j], p, grad);
  }
  return s;
}

struct IvimHostResult {
  Kokkos::View<double**, Kokkos::HostSpace> values;
  Kokkos::View<std::uint8_t*, Kokkos::HostSpace> status;
  FitStatus status_of(int v) const { return static_cast<FitStatus>(status(v)); }
};

// Fits `curves` (one per voxel, samples in the order of `b`) on ExecutionSpace.
template <class ExecutionSpace>
IvimHostResult fit_ivim_on(std::vector<double> const& b, std::vector<std::vector<double>> const& curves,
                           ivim::IvimFitOptions const& options,
                           double sigma = std::numeric_limits<double>::quiet_NaN()) {
  using Mem = typename ExecutionSpace::memory_space;
  ExecutionSpace space;
  Kokkos::View<double**, Kokkos::HostSpace> host("voxflow::test::ivim::data", curves.size(), b.size());
  for (std::size_t v = 0; v < curves.size(); ++v)
    for (std::size_t j = 0; j < b.size(); ++j) host(v, j) = curves[v][j];
  auto const data = upload_series<Mem>(host, "voxflow::test::ivim::data");
  auto const protocol = ivim::make_ivim_protocol<Mem>(space, b, options, "test");
  Maps<Mem> values("voxflow::test::ivim::values", curves.size(), ivim::ivim_column_count(options.method));
  StatusMap<Mem> status("voxflow::test::ivim::status", curves.size());
  ivim::fit_ivim(space, data, protocol, options, sigma, values, status);
  space.fence();
  IvimHostResult r;
  r.values = Kokkos::View<double**, Kokkos::HostSpace>("voxflow::test::ivim::values_host", values.extent(0),
                                                       values.extent(1));
  auto const mirror = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), values);
  for (std::size_t v = 0; v < values.extent(0); ++v)
    for (std::size_t k = 0; k < values.extent(1); ++k) r.values(v, k) = mirror(v, k);
  r.status = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), status);
  return r;
}

}  // namespace voxflow::testing

#endif
