// Calls of operator new made by this process (allocation_counter.cpp replaces it): a measure of work that
// repeats exactly from run to run on any machine, so that a test can tell linear from quadratic growth where
// a timing could not (the machine is shared; voxflow's tests are never timed).
#ifndef VOXFLOW_TESTS_ALLOCATION_COUNTER_HPP
#define VOXFLOW_TESTS_ALLOCATION_COUNTER_HPP

#include <cstdint>

namespace voxflow::test {

std::uint64_t allocations_so_far();

// The number of operator new calls `work` makes.
template <class F>
std::uint64_t allocations_of(F&& work) {
  std::uint64_t const before = allocations_so_far();
  work();
  return allocations_so_far() - before;
}

}  // namespace voxflow::test

#endif
