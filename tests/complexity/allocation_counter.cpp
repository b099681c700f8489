// The scalar operator new and delete of this test binary, counting calls. Shared libraries (yaml-cpp, the
// standard library) call them through the dynamic linker, which finds the executable's first, so their
// allocations count too. New goes to malloc and delete to free in every replaced form, so that a sanitizer's
// own operators never see a pointer of the other kind; the array and aligned forms stay the library's.
#include "allocation_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::uint64_t> allocation_calls{0};
}  // namespace

std::uint64_t voxflow::test::allocations_so_far() {
  return allocation_calls.load(std::memory_order_relaxed);
}

// nvcc (the CUDA variant compiles every source as CUDA) takes the global operators for host and device
// functions, and device code cannot throw: its device pass keeps CUDA's own operators, which nothing on the
// device calls here.
#if !defined(__CUDA_ARCH__)
namespace {
void* counted_malloc(std::size_t size) noexcept {
  allocation_calls.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::nothrow_t const&) noexcept {
  return counted_malloc(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::nothrow_t const&) noexcept {
  std::free(p);
}
#endif
