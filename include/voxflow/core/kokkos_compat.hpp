// The one place where Kokkos 3.4 and Kokkos 4.x differ for voxflow (DEPS.md §3.1). Everything else in the
// code base spells Kokkos the same way on both.
#ifndef VOXFLOW_CORE_KOKKOS_COMPAT_HPP
#define VOXFLOW_CORE_KOKKOS_COMPAT_HPP

#include <Kokkos_Core.hpp>

namespace voxflow {

// Math functions moved from Kokkos::Experimental to Kokkos in 3.7; the Experimental aliases are gone in 4.3.
#if KOKKOS_VERSION >= 30700
namespace kmath = ::Kokkos;
#else
namespace kmath = ::Kokkos::Experimental;
#endif

// Kokkos 3.4 has no Kokkos::min/max/abs for scalars; these are the portable spellings.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION constexpr T min_of(T a, T b) {
  return b < a ? b : a;
}
template <class T>
KOKKOS_FORCEINLINE_FUNCTION constexpr T max_of(T a, T b) {
  return a < b ? b : a;
}
template <class T>
KOKKOS_FORCEINLINE_FUNCTION constexpr T clamp_to(T v, T lo, T hi) {
  return v < lo ? lo : (hi < v ? hi : v);
}
KOKKOS_FORCEINLINE_FUNCTION bool is_finite(double v) {
  return kmath::isfinite(v);
}

// Command-line flag that sets the host thread count at Kokkos::initialize (renamed in 3.7, kokkos PR #5111).
#if KOKKOS_VERSION >= 30700
inline constexpr char const* kokkos_threads_flag = "--kokkos-num-threads=";
#else
inline constexpr char const* kokkos_threads_flag = "--kokkos-threads=";
#endif

// Command-line flag that picks the device Kokkos::initialize binds (the command-line face of 3.4's
// InitArguments::device_id and 4.x's InitializationSettings::set_device_id). 3.4.01 already reads
// --kokkos-device-id (its --kokkos-device is deprecated there and gone in 4.x), so both take one spelling.
inline constexpr char const* kokkos_device_id_flag = "--kokkos-device-id=";

// Number of threads (host) or concurrent work items (device) of an execution space instance.
template <class ExecutionSpace>
int concurrency_of(ExecutionSpace const& space) {
  return static_cast<int>(space.concurrency());
}

// Fence with a label where the Kokkos version takes one (3.6 and later), plain fence otherwise.
template <class ExecutionSpace>
void fence(ExecutionSpace const& space, char const* label) {
#if KOKKOS_VERSION >= 30600
  space.fence(label);
#else
  (void)label;
  space.fence();
#endif
}

// RAII profiling region: Kokkos::Profiling::ScopedRegion only exists from 4.0 on.
class ScopedRegion {
 public:
  explicit ScopedRegion(char const* name) { Kokkos::Profiling::pushRegion(name); }
  ~ScopedRegion() { Kokkos::Profiling::popRegion(); }
  ScopedRegion(ScopedRegion const&) = delete;
  ScopedRegion& operator=(ScopedRegion const&) = delete;
};

}  // namespace voxflow

#endif
