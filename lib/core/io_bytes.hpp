// Buffers for large reads and writes (a chunk of a copy, of an MFT scan, of a file being
// restored): page-aligned, and not zeroed when made or grown, since a read fills them.
//
// Why page-aligned: the kernel copies file pages into such a buffer (pread) or out of it
// (pwrite). On this project's machines (AMD EPYC) that copy runs about 3.7x slower when the
// buffer's place within a page is 1 to ~31 bytes past the file offset's: 16 bytes past a
// page is where malloc puts the blocks it maps on their own (those of 128 KiB and more, at
// first), and the library reads at sector-aligned offsets. 100 MiB of a file read in 4 MiB
// pieces: 45.8 ms into a buffer 16 bytes past a page, 12.1 ms into a page-aligned one
// (tests/bench/page_alignment.py; docs/benchmarks.md, "Page-aligned buffers").
#pragma once

#include <cstddef>
#include <new>
#include <utility>
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
    ::new (static_cast<void*>(place)) U(std::forward<Args>(args)...);
  }

  template <class U>
  bool operator==(const PageAlignedAllocator<U>&) const { return true; }
};

// Bytes for one large read or write. The bytes of IoBytes(n), and those resize() adds, are
// unspecified until written.
using IoBytes = std::vector<std::byte, PageAlignedAllocator<std::byte>>;

}  // namespace diskimg
