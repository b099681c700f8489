// The host BLAS's own thread pool is gone once voxflow's Runtime has started (the test main starts one):
// BLAS runs on its calling thread, gives the same products, and starts no threads of its own.
#include <voxflow/core/host_blas_threads.hpp>
#include <voxflow/dsc/host_blas.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <iterator>
#include <vector>

namespace {

std::ptrdiff_t threads_of_this_process() {
  return std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                       std::filesystem::directory_iterator());
}

}  // namespace

TEST(HostBlasThreads, AfterTheRuntimeStartsBlasRunsOnTheCallingThreadAndStartsNoThreads) {
  EXPECT_EQ(voxflow::host_blas_threads(), 1);
  auto const before = threads_of_this_process();
  // A product large enough that a pooled BLAS would split it across its threads.
  int const n = 384;
  std::vector<double> a(static_cast<std::size_t>(n) * n), b(a.size()), c(a.size(), 0.0);
  for (int i = 0; i < n * n; ++i) {
    a[static_cast<std::size_t>(i)] = (i % 7) - 3.0;
    b[static_cast<std::size_t>(i)] = (i % 5) * 0.5;
  }
  voxflow::dsc::host_gemm('N', 'N', n, n, n, 1.0, a.data(), n, b.data(), n, 0.0, c.data(), n);
  double expected = 0.0;  // element (1, 2), column-major
  for (int k = 0; k < n; ++k)
    expected += a[static_cast<std::size_t>(1 + k * n)] * b[static_cast<std::size_t>(k + 2 * n)];
  EXPECT_DOUBLE_EQ(c[static_cast<std::size_t>(1 + 2 * n)], expected);
  EXPECT_EQ(threads_of_this_process(), before);
  voxflow::retire_host_blas_threads();  // again: nothing more happens
  EXPECT_EQ(voxflow::host_blas_threads(), 1);
}
