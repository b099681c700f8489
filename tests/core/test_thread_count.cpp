// Host thread requests above what Kokkos' OpenMP backend can hold (512) are capped with an explanation;
// before,
// `--threads 1000` or OMP_NUM_THREADS=5000 overran Kokkos' per-thread table (ASan: heap-buffer-overflow in
// OpenMPExec::get_thread_data). The end-to-end check is in tests/pipeline/test_cli.cpp.
#include <voxflow/core/thread_count.hpp>

#include <gtest/gtest.h>

using voxflow::choose_host_threads;
using voxflow::kokkos_max_host_threads;

TEST(ThreadCount, RequestsKokkosCanHoldAreKeptAsGiven) {
  EXPECT_EQ(choose_host_threads(0, nullptr, 16).threads, 0);  // Kokkos' default
  EXPECT_EQ(choose_host_threads(3, nullptr, 2).threads, 3);   // oversubscribing is the user's choice
  EXPECT_EQ(choose_host_threads(0, "8", 16).threads, 0);      // OMP_NUM_THREADS applies as it is
  EXPECT_EQ(choose_host_threads(kokkos_max_host_threads, "9999", 16).threads, kokkos_max_host_threads);
  EXPECT_TRUE(choose_host_threads(4, "5000", 16).note.empty());  // an explicit count wins over the variable
  EXPECT_TRUE(choose_host_threads(0, "garbage", 16).note.empty());
}

TEST(ThreadCount, LargerRequestsAreCappedToTheAvailableCpusWithTheReason) {
  auto const flag = choose_host_threads(1000, nullptr, 16);
  EXPECT_EQ(flag.threads, 16);
  EXPECT_NE(flag.note.find("threads 1000"), std::string::npos) << flag.note;
  EXPECT_NE(flag.note.find("512"), std::string::npos) << flag.note;
  auto const env = choose_host_threads(0, "5000,2", 4);
  EXPECT_EQ(env.threads, 4);
  EXPECT_NE(env.note.find("OMP_NUM_THREADS=5000,2"), std::string::npos) << env.note;
  EXPECT_EQ(choose_host_threads(0, "99999999999999999999", 2000).threads, kokkos_max_host_threads);
  EXPECT_GE(voxflow::available_cpus(), 1);
}
