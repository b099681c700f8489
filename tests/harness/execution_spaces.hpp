// The execution spaces every numerical test is instantiated for: each one enabled in this build
// (TYPED_TEST_SUITE(Suite, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames)).
#ifndef VOXFLOW_TESTS_EXECUTION_SPACES_HPP
#define VOXFLOW_TESTS_EXECUTION_SPACES_HPP

#include <Kokkos_Core.hpp>

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>

namespace voxflow::testing {

namespace detail {
template <class Tuple>
struct to_gtest_types;
template <class... Ts>
struct to_gtest_types<std::tuple<Ts...>> {
  using type = ::testing::Types<Ts...>;
};
using enabled_spaces = decltype(std::tuple_cat(
#if defined(KOKKOS_ENABLE_SERIAL)
    std::declval<std::tuple<Kokkos::Serial>>(),
#endif
#if defined(KOKKOS_ENABLE_OPENMP)
    std::declval<std::tuple<Kokkos::OpenMP>>(),
#endif
#if defined(KOKKOS_ENABLE_CUDA)
    std::declval<std::tuple<Kokkos::Cuda>>(),
#endif
    std::declval<std::tuple<>>()));
}  // namespace detail

using ExecutionSpaces = detail::to_gtest_types<detail::enabled_spaces>::type;

// Readable test names: "Serial", "OpenMP", "Cuda" instead of 0, 1, 2.
struct ExecutionSpaceNames {
  template <class T>
  static std::string GetName(int) {
    return T::name();
  }
};

}  // namespace voxflow::testing

#endif
