#include <voxflow/core/host_blas_threads.hpp>

#include <dlfcn.h>

namespace voxflow {

namespace {

using SetThreads = void (*)(int);
using GetInt = int (*)();

template <class F>
F blas_function(char const* name) {
  return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

SetThreads openblas_set() {
  static auto const f = blas_function<SetThreads>("openblas_set_num_threads");
  return f;
}

GetInt openblas_get() {
  static auto const f = blas_function<GetInt>("openblas_get_num_threads");
  return f;
}

// openblas_get_parallel(): 0 sequential, 1 its own pthreads pool, 2 OpenMP (whose threads are ours).
constexpr int openblas_pthreads = 1;

}  // namespace

void retire_host_blas_threads() {
  auto const parallel = blas_function<GetInt>("openblas_get_parallel");
  auto const shutdown = blas_function<GetInt>("blas_thread_shutdown_");
  if (!openblas_set() || !parallel || !shutdown || parallel() != openblas_pthreads) return;
  openblas_set()(1);
  shutdown();  // wakes and joins the pool's threads
}

int host_blas_threads() {
  return openblas_get() ? openblas_get()() : 1;
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

}  // namespace voxflow
