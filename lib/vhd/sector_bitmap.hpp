// The sector bitmap before each block's data in a dynamic or differencing VHD: one bit a
// 512-byte sector of the block, the most significant bit of each byte first (specification,
// "Block Allocation Table and Data Blocks"). A set bit: the sector is in this file; a clear
// one: zeros (dynamic) or the parent's sector (differencing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace diskimg::vhd {

inline bool sector_present(std::span<const std::byte> bitmap, std::uint64_t sector) {
  return ((std::to_integer<unsigned>(bitmap[sector / 8]) >> (7 - sector % 8)) & 1) != 0;
}

// Sets the bits of sectors `first` to `end` (not included).
inline void mark_sectors(std::span<std::byte> bitmap, std::uint64_t first, std::uint64_t end) {
  for (std::uint64_t sector = first; sector < end; ++sector) {
    bitmap[sector / 8] |= std::byte{static_cast<unsigned char>(0x80u >> (sector % 8))};
  }
}

// How many sectors from `first` (at least that one, at most up to `end`) have the bit that
// `first` has: the sectors one read can take from one place.
inline std::uint64_t same_bit_run(std::span<const std::byte> bitmap, std::uint64_t first,
                                  std::uint64_t end) {
  const bool present = sector_present(bitmap, first);
  std::uint64_t sector = first + 1;
  while (sector < end && sector_present(bitmap, sector) == present) ++sector;
  return sector - first;
}

}  // namespace diskimg::vhd
