// Small helpers shared by the T1 mapping drivers (vfa_mapping.hpp, look_locker_mapping.hpp): host <-> device
// copies of the short acquisition arrays, extent checks of output structs, and a sink that sums squared
// residuals.
#ifndef VOXFLOW_T1_MAPPING_SUPPORT_HPP
#define VOXFLOW_T1_MAPPING_SUPPORT_HPP

#include <voxflow/core/views.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace voxflow::t1::detail {

// Puts a function parameter in a non-deduced context, so a View<double*> binds to a View<double const*>
// parameter and the memory space is deduced from the signal alone.
template <class T>
struct identity {
  using type = T;
};

// Copies a small 1-D View (flip angles, inversion times) to the host for validation.
template <class View>
std::vector<double> to_host_vector(View const& v) {
  auto const host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  std::vector<double> out(v.extent(0));
  for (std::size_t j = 0; j < out.size(); ++j) out[j] = host(j);
  return out;
}

template <class... Views>
std::size_t min_extent(Views const&... views) {
  return std::min({static_cast<std::size_t>(views.extent(0))...});
}
template <class... Views>
std::size_t max_extent(Views const&... views) {
  return std::max({static_cast<std::size_t>(views.extent(0))...});
}

// Sum of squared residuals of a model curve against y (for estimates that are not fitted by the LM core).
template <int P, class Curve>
struct SseSink {
  Curve const* y;
  double sse = 0.0;
  KOKKOS_FORCEINLINE_FUNCTION void operator()(int j, double f, double const (&)[P]) {
    double const r = (*y)(j)-f;
    sse += r * r;
  }
};

}  // namespace voxflow::t1::detail

#endif
