// The sector bitmaps of a differencing VHDX: for each chunk of the disk, a 1 MiB block
// with a bit per logical sector (bit 0 of byte 0 the chunk's first sector, unlike VHD's
// most-significant-bit-first order), saying which sectors of a partially present payload
// block this file holds. Read a payload block's bits at a time, into a bounded cache.
#pragma once

#include <diskimg/source/byte_source.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace diskimg::vhdx {

class SectorBitmaps {
 public:
  // `blocks`: chunk -> offset of its present bitmap block.
  SectorBitmaps(SourcePtr file, std::map<std::uint64_t, std::uint64_t> blocks, std::uint64_t sectors_per_block,
                std::uint64_t chunk_ratio);

  // The bits of payload block `block`, one per logical sector. Throws FormatError when its
  // chunk has no bitmap block, IoError when it cannot be read. Thread-safe.
  std::vector<std::byte> of_block(std::uint64_t block) const;

 private:
  struct Slot {
    std::uint64_t block = ~std::uint64_t{0};
    std::vector<std::byte> bits;
  };
  SourcePtr file_;
  std::map<std::uint64_t, std::uint64_t> blocks_;
  std::uint64_t sectors_per_block_;
  std::uint64_t chunk_ratio_;
  mutable std::mutex mutex_;
  mutable std::vector<Slot> slots_;
};

// Whether sector `sector` of `bits` is set (LSB first).
inline bool sector_bit(const std::vector<std::byte>& bits, std::uint64_t sector) {
  return ((std::to_integer<unsigned>(bits[sector / 8]) >> (sector % 8)) & 1) != 0;
}

}  // namespace diskimg::vhdx
