// Fits one noise-free mono-exponential voxel through the installed headers and library; exits 0 iff the rate
// is recovered.
#include <voxflow/core/runtime.hpp>
#include <voxflow/fit/exponential_models.hpp>
#include <voxflow/fit/fit_voxels.hpp>

#include <cmath>
#include <cstdio>

int main(int argc, char** argv) {
  voxflow::Runtime runtime(argc, argv);
  using Space = Kokkos::DefaultExecutionSpace;
  using Mem = Space::memory_space;
  int const frames = 20;
  Kokkos::View<double*, Mem> t("t", frames);
  voxflow::Series<Mem> y("y", 1, frames);
  Kokkos::parallel_for(
      "consumer::fill", Kokkos::RangePolicy<Space>(0, frames), KOKKOS_LAMBDA(int j) {
        t(j) = 0.1 * j;
        y(0, j) = 3.0 * voxflow::kmath::exp(-0.7 * t(j));
      });
  voxflow::fit::FitOutputs<Mem> out(Space(), "consumer", 1, 2);
  voxflow::fit::fit_voxels(Space(), voxflow::fit::MonoExponential<Mem>{t}, y,
                           Kokkos::View<std::uint8_t const*, Mem>(), voxflow::fit::LMOptions{}, out);
  auto params = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.params);
  std::printf("voxflow %s: fitted k = %.12f\n", voxflow::version_string().c_str(), params(0, 1));
  return std::fabs(params(0, 1) - 0.7) < 1e-9 ? 0 : 1;
}
