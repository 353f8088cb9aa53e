// Buffers for large reads and writes (a chunk of a copy, of an MFT scan, of a file being
// restored): page-aligned, and not zeroed when they grow, since a read fills them at once.
//
// Why page-aligned: the kernel copies file pages into such a buffer (pread) or out of it
// (pwrite). On this project's machines (AMD EPYC) that copy ran 3.5x slower when the
// buffer began 16 bytes past a page boundary, which is where malloc puts every block of
// 128 KiB or more (it maps them on their own, behind a 16-byte header): 100 MiB of an MFT
// read in 4 MiB pieces took 52 ms into a malloc'd buffer, 15 ms into a page-aligned one
// (tests/bench/page_alignment.py measures it; docs/benchmarks.md, "Page-aligned buffers").
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace diskimg {

template <class T>
struct PageAlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t alignment{4096};

  PageAlignedAllocator() = default;
  template <class U>
  explicit PageAlignedAllocator(const PageAlignedAllocator<U>&) {}

  T* allocate(std::size_t count) {
    if (count > std::size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(::operator new(count * sizeof(T), alignment));
  }
  void deallocate(T* pointer, std::size_t) noexcept { ::operator delete(pointer, alignment); }

  // Default-initialized, not value-initialized: a resize leaves the new bytes as they are.
  template <class U>
  void construct(U* place) {
    ::new (static_cast<void*>(place)) U;
  }
  template <class U, class... Args>
  void construct(U* place, Args&&... args) {
    ::new (static_cast<void*>(place)) U(static_cast<Args&&>(args)...);
  }

  template <class U>
  bool operator==(const PageAlignedAllocator<U>&) const { return true; }
};

// Bytes for one large read or write. After resize() the new bytes are unspecified.
using IoBytes = std::vector<std::byte, PageAlignedAllocator<std::byte>>;

}  // namespace diskimg
