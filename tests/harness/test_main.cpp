// GoogleTest main for every voxflow test binary: Kokkos is initialised once around the whole run (the Cabana
// unit_test_main pattern), with --kokkos-* flags and OMP_NUM_THREADS honoured.
#include <voxflow/core/runtime.hpp>

#include <gtest/gtest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Test discovery (--gtest_list_tests) must print nothing but the list, so Kokkos, which may print warnings
  // at initialisation, is started only for real runs.
  if (::testing::GTEST_FLAG(list_tests)) return RUN_ALL_TESTS();
  // Kokkos warns on every start when OMP_PROC_BIND is unset; tests do not depend on binding.
  setenv("OMP_PROC_BIND", "false", 0);
  voxflow::Runtime runtime(argc, argv);
  return RUN_ALL_TESTS();
}
