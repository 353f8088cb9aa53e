// The sector bitmaps a VHD reader has read (or a writer written) lately: a fixed number of slots, each holding the
// bitmap of the last block that mapped to it, so memory stays bounded however many blocks
// are read (sequential reads find the next blocks in their own slots).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace diskimg::vhd {

class BitmapCache {
 public:
  explicit BitmapCache(std::size_t slots) : slots_(slots) {}

  // A copy of block `block`'s bitmap, read with `read` when the cache does not hold it.
  // Safe to call from several threads.
  std::vector<std::byte> get(std::uint64_t block, const std::function<std::vector<std::byte>()>& read) const;
  // Holds `bitmap` as block `block`'s, once the file holds it too. Safe from several threads.
  void put(std::uint64_t block, std::vector<std::byte> bitmap) const;

 private:
  struct Slot {
    std::uint64_t block = ~std::uint64_t{0};
    std::vector<std::byte> bitmap;
  };
  mutable std::mutex mutex_;
  mutable std::vector<Slot> slots_;
};

}  // namespace diskimg::vhd
