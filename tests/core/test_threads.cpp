// Shows that kernels really run on the host threads Kokkos was given: with OMP_NUM_THREADS=N (ctest runs
// every test binary with N = 1 and N = 2) a parallel_for must be executed by exactly N distinct OpenMP
// threads.
#include <voxflow/core/kokkos_compat.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#if defined(KOKKOS_ENABLE_OPENMP)
#include <omp.h>

namespace {

// Records which OpenMP thread ran each iteration.
Kokkos::View<int*, Kokkos::HostSpace> thread_ids_of_parallel_for(int n) {
  Kokkos::View<int*, Kokkos::HostSpace> ids("voxflow::test::thread_ids", n);
  Kokkos::parallel_for(
      "voxflow::test::record_thread", Kokkos::RangePolicy<Kokkos::OpenMP>(0, n),
      [=](int i) {  // host-only (OpenMP) code: a plain lambda, so no device variant is compiled
        // A little work per iteration so that no thread can finish the whole range before the other starts.
        double x = i;
        for (int k = 0; k < 2000; ++k) x = x * 0.999 + 1.0;
        ids(i) = omp_get_thread_num() + (x < 0 ? 1000 : 0);
      });
  Kokkos::fence();
  return ids;
}

}  // namespace

TEST(Threads, OpenMPKernelRunsOnTheConfiguredThreadCount) {
  char const* expected_text = std::getenv("OMP_NUM_THREADS");
  if (expected_text == nullptr) GTEST_SKIP() << "OMP_NUM_THREADS is set by ctest";
  int const expected = std::atoi(expected_text);
  ASSERT_EQ(voxflow::concurrency_of(Kokkos::OpenMP()), expected);
  auto const ids = thread_ids_of_parallel_for(100000);
  std::set<int> distinct;
  for (int i = 0; i < static_cast<int>(ids.extent(0)); ++i) distinct.insert(ids(i));
  EXPECT_EQ(static_cast<int>(distinct.size()), expected);
  for (int id : distinct) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, expected);
  }
}
#endif
