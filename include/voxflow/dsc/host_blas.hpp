// The host BLAS as the blocked host path of the DSC deconvolution (deconvolve_host.hpp) uses it: one
// column-major dgemm on the calling thread, many threads calling it at once, one per block of voxels.
// OpenBLAS (pthreads flavour) would otherwise start its own threads inside every call and fight the
// execution space's threads for the cores, so SingleThreadedHostBlas (core/host_blas_threads.hpp) pins it
// to one thread while the blocks run. Host code only: never called inside a device kernel.
#ifndef VOXFLOW_DSC_HOST_BLAS_HPP
#define VOXFLOW_DSC_HOST_BLAS_HPP

#include <voxflow/core/host_blas_threads.hpp>

namespace voxflow::dsc {

// Column-major C = alpha · op(A) · op(B) + beta · C (Fortran dgemm; trans 'N' or 'T'), m × n, inner k.
void host_gemm(char trans_a, char trans_b, int m, int n, int k, double alpha, double const* a, int lda,
               double const* b, int ldb, double beta, double* c, int ldc);

}  // namespace voxflow::dsc

#endif
