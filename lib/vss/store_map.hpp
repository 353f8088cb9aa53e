// What one store holds, read from its block descriptor list: which volume blocks it saved
// and where, its overlays, its forwarders; and from its bitmaps, which blocks were not in use.
#pragma once

#include "vss/catalog.hpp"

#include <diskimg/source/byte_source.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace diskimg::vss {

struct SavedBlock {
  std::uint64_t store_offset = 0;     // where the saved 16 KiB are in the volume
  std::uint64_t relative_offset = 0;  // a forwarder: the block of the next store to read instead
  bool forwarder = false;
};

struct Overlay {
  std::uint64_t store_offset = 0;
  std::uint32_t sectors = 0;          // bit i: the 512-byte sector i of the block is in the overlay
};

struct StoreMap {
  std::unordered_map<std::uint64_t, SavedBlock> blocks;   // by the volume block's offset
  std::unordered_map<std::uint64_t, Overlay> overlays;    // likewise
  std::unordered_map<std::uint64_t, std::uint64_t> reverse;  // a forwarder's target -> its block
};

// Only the newest store's bitmaps are ever consulted (when that copy itself is read), so
// they are read apart from the maps, and only then.
struct StoreBitmaps {
  std::vector<std::uint8_t> bitmap;    // 1 bit per 16 KiB block, LSB first: set = not in use
  std::vector<std::uint8_t> previous;  // the previous bitmap; empty when there is none

  bool not_in_use(std::uint64_t block_offset) const;
};

// Reads `snapshot`'s descriptor list. The maps hold at most one entry per 16 KiB block of
// the volume (a descriptor naming any other offset is a FormatError, as is a saved block
// outside the store's extents when it has them). Throws FormatError naming the store and
// the offset.
StoreMap read_store_map(const ByteSource& volume, const StorePlaces& places, const Snapshot& snapshot);

// Reads `snapshot`'s bitmap and previous bitmap: one bit per block of the volume (bits past
// it are not kept). Throws FormatError naming the store and the offset.
StoreBitmaps read_store_bitmaps(const ByteSource& volume, const StorePlaces& places, const Snapshot& snapshot);

}  // namespace diskimg::vss
