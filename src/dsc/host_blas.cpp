#include <voxflow/dsc/host_blas.hpp>

#include <dlfcn.h>

// BLAS (OpenBLAS, linked through LAPACK).
extern "C" void dgemm_(char const* transa, char const* transb, int const* m, int const* n, int const* k,
                       double const* alpha, double const* a, int const* lda, double const* b, int const* ldb,
                       double const* beta, double* c, int const* ldc);

namespace voxflow::dsc {

namespace {

// OpenBLAS's thread controls, looked up at run time: another BLAS has none (and needs none).
using SetThreads = void (*)(int);
using GetThreads = int (*)();

SetThreads openblas_set() {
  static auto const f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return f;
}

GetThreads openblas_get() {
  static auto const f = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return f;
}

}  // namespace

void host_gemm(char trans_a, char trans_b, int m, int n, int k, double alpha, double const* a, int lda,
               double const* b, int ldb, double beta, double* c, int ldc) {
  dgemm_(&trans_a, &trans_b, &m, &n, &k, &alpha, a, &lda, b, &ldb, &beta, c, &ldc);
}

SingleThreadedHostBlas::SingleThreadedHostBlas() {
  if (openblas_set() && openblas_get()) {
    previous_ = openblas_get()();
    if (previous_ > 1)
      openblas_set()(1);
    else
      previous_ = 0;
  }
}

SingleThreadedHostBlas::~SingleThreadedHostBlas() {
  if (previous_ > 0) openblas_set()(previous_);
}

}  // namespace voxflow::dsc
