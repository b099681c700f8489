// Where KokkosKernels 3.4 and 4.x differ for voxflow (DEPS.md §3.1), beside kokkos_compat.hpp (kept apart
// so that translation units without BLAS do not include KokkosBlas).
#ifndef VOXFLOW_CORE_KOKKOS_KERNELS_COMPAT_HPP
#define VOXFLOW_CORE_KOKKOS_KERNELS_COMPAT_HPP

#include <voxflow/core/kokkos_compat.hpp>

#include <KokkosBlas3_gemm.hpp>
#include <KokkosKernels_config.h>

namespace voxflow {

// C = alpha · op(A) · op(B) + beta · C on `space`. KokkosKernels 3.4 (no KOKKOSKERNELS_VERSION macro) has no
// execution-space argument: the product runs on the default space of C's memory and is fenced, so the
// caller's next kernel on `space` sees the result.
template <class ExecutionSpace, class A, class B, class C>
void blas_gemm(ExecutionSpace const& space, char const* trans_a, char const* trans_b, double alpha,
               A const& a, B const& b, double beta, C const& c) {
#if defined(KOKKOSKERNELS_VERSION)
  KokkosBlas::gemm(space, trans_a, trans_b, alpha, a, b, beta, c);
#else
  fence(space, "voxflow::blas_gemm: inputs ready");
  KokkosBlas::gemm(trans_a, trans_b, alpha, a, b, beta, c);
  Kokkos::fence();
#endif
}

}  // namespace voxflow

#endif
