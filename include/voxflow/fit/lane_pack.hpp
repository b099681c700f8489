// Fixed-width packs of doubles, one voxel per lane, for fitting W voxels at once on a CPU core (issue 13).
//
// The width follows the compile target: 8 lanes with AVX-512, 4 with AVX/AVX2, 2 with SSE2, 1 elsewhere and
// always 1 in device code, where one thread per voxel stays the parallelism. On GCC and Clang a pack is a
// GNU vector type, so the arithmetic is emitted as vector instructions whatever the optimisation flags (no
// reliance on the loop or SLP vectoriser, no stores and reloads of lane arrays); other compilers, and CUDA
// translation units, get a plain array with lane loops of the same semantics. Kokkos SIMD would be the
// portable spelling, but Kokkos 3.4 has none, and GNU vectors give identical code on 3.4 and 4.x, so no
// Kokkos-version difference arises here.
#ifndef VOXFLOW_FIT_LANE_PACK_HPP
#define VOXFLOW_FIT_LANE_PACK_HPP

#include <voxflow/core/kokkos_compat.hpp>

namespace voxflow::fit {

#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
inline constexpr int host_lanes = 1;
#elif defined(__AVX512F__)
inline constexpr int host_lanes = 8;
#elif defined(__AVX__)
inline constexpr int host_lanes = 4;
#elif defined(__SSE2__) || defined(__aarch64__)
inline constexpr int host_lanes = 2;
#else
inline constexpr int host_lanes = 1;
#endif

// VOXFLOW_NO_GNU_VECTOR_LANES selects the plain-array packs on GCC and Clang too (to check that spelling).
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KOKKOS_ENABLE_CUDA) && \
    !defined(KOKKOS_ENABLE_HIP) && !defined(VOXFLOW_NO_GNU_VECTOR_LANES)
#define VOXFLOW_GNU_VECTOR_LANES 1
#endif

#ifdef VOXFLOW_GNU_VECTOR_LANES
namespace detail {
// GNU vector types of W doubles, one specialisation per width (GCC ignores a vector_size that depends on a
// template parameter).
template <int W>
struct GnuDoubleVector;
#define VOXFLOW_GNU_DOUBLE_VECTOR(lanes)                                      \
  template <>                                                                 \
  struct GnuDoubleVector<lanes> {                                             \
    typedef double type __attribute__((vector_size(lanes * sizeof(double)))); \
  };
VOXFLOW_GNU_DOUBLE_VECTOR(1)
VOXFLOW_GNU_DOUBLE_VECTOR(2)
VOXFLOW_GNU_DOUBLE_VECTOR(4)
VOXFLOW_GNU_DOUBLE_VECTOR(8)
#undef VOXFLOW_GNU_DOUBLE_VECTOR
}  // namespace detail
#endif

// W doubles in lanes. Element-wise +, -, *, / with packs and with scalars (broadcast); lane access by index.
template <int W>
struct LanePack {
  static_assert(W >= 1 && (W & (W - 1)) == 0, "voxflow::fit::LanePack: the width is a power of two");
#ifdef VOXFLOW_GNU_VECTOR_LANES
  using vector_type = typename detail::GnuDoubleVector<W>::type;
#else
  using vector_type = double[W];
#endif
  vector_type v;

  KOKKOS_FORCEINLINE_FUNCTION LanePack() : v{} {}
  KOKKOS_FORCEINLINE_FUNCTION LanePack(double s) {  // NOLINT: broadcast
#ifdef VOXFLOW_GNU_VECTOR_LANES
    v = s - vector_type{};  // s - 0 is s exactly (also for -0); the scalar operand makes it a broadcast
#else
    for (int l = 0; l < W; ++l) v[l] = s;
#endif
  }
  KOKKOS_FORCEINLINE_FUNCTION double operator[](int l) const {
    return v[l];
  }
  KOKKOS_FORCEINLINE_FUNCTION void set(int l, double s) {
    v[l] = s;
  }
  // W consecutive doubles from memory (any alignment).
  KOKKOS_FORCEINLINE_FUNCTION static LanePack load(double const* p) {
    LanePack r;
#ifdef VOXFLOW_GNU_VECTOR_LANES
    __builtin_memcpy(&r.v, p, sizeof(r.v));  // one unaligned vector load
#else
    for (int l = 0; l < W; ++l) r.v[l] = p[l];
#endif
    return r;
  }
  // Lane l from base[index[l]].
  KOKKOS_FORCEINLINE_FUNCTION static LanePack gather(double const* base, int const (&index)[W]) {
    LanePack r;
    for (int l = 0; l < W; ++l) r.v[l] = base[index[l]];
    return r;
  }

#ifdef VOXFLOW_GNU_VECTOR_LANES
#define VOXFLOW_LANE_PACK_OPERATOR(op)                                              \
  KOKKOS_FORCEINLINE_FUNCTION friend LanePack operator op(LanePack a, LanePack b) { \
    a.v = a.v op b.v;                                                               \
    return a;                                                                       \
  }
#else
#define VOXFLOW_LANE_PACK_OPERATOR(op)                                              \
  KOKKOS_FORCEINLINE_FUNCTION friend LanePack operator op(LanePack a, LanePack b) { \
    for (int l = 0; l < W; ++l) a.v[l] = a.v[l] op b.v[l];                          \
    return a;                                                                       \
  }
#endif
  VOXFLOW_LANE_PACK_OPERATOR(+)
  VOXFLOW_LANE_PACK_OPERATOR(-)
  VOXFLOW_LANE_PACK_OPERATOR(*)
  VOXFLOW_LANE_PACK_OPERATOR(/)
#undef VOXFLOW_LANE_PACK_OPERATOR
  KOKKOS_FORCEINLINE_FUNCTION friend LanePack operator-(LanePack a) {
#ifdef VOXFLOW_GNU_VECTOR_LANES
    a.v = -a.v;
#else
    for (int l = 0; l < W; ++l) a.v[l] = -a.v[l];
#endif
    return a;
  }
  KOKKOS_FORCEINLINE_FUNCTION LanePack& operator+=(LanePack b) {
    return *this = *this + b;
  }
  KOKKOS_FORCEINLINE_FUNCTION LanePack& operator-=(LanePack b) {
    return *this = *this - b;
  }
};

// Which lanes of a pack hold a voxel still being fitted. Lane control (damping, acceptance, stopping) runs
// per lane on these masks; only the streamed passes over time run on whole packs.
template <int W>
struct LaneMask {
  bool on[W] = {};
  KOKKOS_FORCEINLINE_FUNCTION bool any() const {
    bool a = false;
    for (int l = 0; l < W; ++l) a = a || on[l];
    return a;
  }
  // The first lane that is on, or -1.
  KOKKOS_FORCEINLINE_FUNCTION int first() const {
    for (int l = 0; l < W; ++l)
      if (on[l]) return l;
    return -1;
  }
};

}  // namespace voxflow::fit

#endif
