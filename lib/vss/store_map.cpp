#include "vss/store_map.hpp"

#include "core/load.hpp"
#include "vss/chain.hpp"
#include "vss/vss_structures.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace diskimg::vss {
namespace {

bool bit(const std::vector<std::uint8_t>& bits, std::uint64_t block_offset) {
  const std::uint64_t n = block_offset / block_size;
  return n / 8 < bits.size() && (bits[n / 8] >> (n % 8) & 1) != 0;
}

std::vector<std::uint8_t> read_bitmap(const ByteSource& volume, std::uint64_t first, const std::string& what) {
  std::vector<std::uint8_t> bits;
  const std::uint64_t wanted = (volume.size() / block_size + 7) / 8;  // bits past the volume are not kept
  bits.reserve(static_cast<std::size_t>(wanted));  // one bit per block: 1/131072 of the volume
  walk_chain(volume, first, record_bitmap, what, [&](std::span<const std::byte> block, std::uint64_t) {
    const std::span<const std::byte> payload = block.subspan(sizeof(BlockHeader));
    const auto taken = static_cast<std::size_t>(std::min<std::uint64_t>(payload.size(), wanted - bits.size()));
    const auto* begin = reinterpret_cast<const std::uint8_t*>(payload.data());
    bits.insert(bits.end(), begin, begin + taken);
  });
  return bits;
}

// One descriptor, in list order (libvshadow's format notes, "Successive block descriptors",
// and the way libvshadow 20190323 builds its trees): a later descriptor for the same block
// replaces an earlier one, overlays of a block merge, and a descriptor for the block a
// forwarder of this store pointed at takes the forwarder's block instead.
//
// Every offset a used descriptor names must be a 16 KiB block of the volume: the maps are then
// keyed by the volume's blocks, so they never hold more entries than the volume has blocks,
// however long a hostile chain is.
// Whether the 16 KiB at `offset` lie in one of the store's extents (sorted by offset); any
// offset does when the store has none listed.
bool in_store(const std::vector<StoreExtent>& extents, std::uint64_t offset) {
  if (extents.empty()) return true;
  const auto after = std::upper_bound(extents.begin(), extents.end(), offset,
                                      [](std::uint64_t o, const StoreExtent& e) { return o < e.offset; });
  if (after == extents.begin()) return false;
  const StoreExtent& extent = *std::prev(after);
  return offset - extent.offset < extent.length && extent.length - (offset - extent.offset) >= block_size;
}

void add_descriptor(const BlockDescriptor& d, StoreMap& map, const Snapshot& snapshot, std::uint64_t at,
                    std::uint64_t volume_size) {
  const unsigned index = snapshot.index;
  const std::uint32_t flags = d.flags.value();
  if ((flags & descriptor_not_used) != 0) return;
  const bool forwarder = (flags & descriptor_forwarder) != 0;
  const auto refuse = [&](std::string_view what, std::uint64_t value) {
    throw FormatError(fmt::format("vss: block list of store {}: the descriptor at offset {:#x} names {} {:#x}, "
                                  "not a 16 KiB block inside the volume ({} bytes)", index, at, what, value, volume_size),
                      Location{fmt::format("VSS block list of store {}", index), at});
  };
  // A block of the volume (its last may be partial: the size need not be a multiple of 16 KiB)...
  const auto volume_block = [&](std::uint64_t offset) { return offset % block_size == 0 && offset < volume_size; };
  // ...and a block of a store, read 16 KiB at a time.
  const auto whole_block = [&](std::uint64_t offset) {
    return volume_block(offset) && volume_size - offset >= block_size;
  };
  if (forwarder && d.store_offset.value() != 0) {
    throw FormatError(fmt::format("vss: block list of store {}: the forwarder at offset {:#x} has a store offset ({:#x})",
                                  index, at, d.store_offset.value()),
                      Location{fmt::format("VSS block list of store {}", index), at});
  }
  if (!volume_block(d.original_offset.value())) refuse("the original block", d.original_offset.value());
  if (forwarder && !volume_block(d.relative_offset.value())) refuse("the forwarded block", d.relative_offset.value());
  if (!forwarder && !whole_block(d.store_offset.value())) refuse("the saved block", d.store_offset.value());
  if (!forwarder && !in_store(snapshot.store_extents, d.store_offset.value())) {
    throw FormatError(fmt::format("vss: block list of store {}: the descriptor at offset {:#x} keeps its block at "
                                  "{:#x}, outside the store's data on the volume (its range list)",
                                  index, at, d.store_offset.value()),
                      Location{fmt::format("VSS block list of store {}", index), at});
  }
  std::uint64_t original = d.original_offset.value();
  if ((flags & descriptor_overlay) != 0) {
    Overlay& overlay = map.overlays[original];
    if (overlay.sectors == 0) overlay.store_offset = d.store_offset.value();
    overlay.sectors |= d.allocation_bitmap.value();
    return;
  }
  if (const auto forwarded = map.reverse.find(original); forwarded != map.reverse.end()) {
    original = forwarded->second;
    map.reverse.erase(forwarded);
  }
  if (forwarder && original == d.relative_offset.value()) return;  // forwards to itself
  map.blocks[original] = SavedBlock{d.store_offset.value(), d.relative_offset.value(), forwarder};
  if (forwarder) map.reverse[d.relative_offset.value()] = original;
}

}  // namespace

bool StoreBitmaps::not_in_use(std::uint64_t block_offset) const {
  return bit(bitmap, block_offset) && (previous.empty() || bit(previous, block_offset));
}

StoreMap read_store_map(const ByteSource& volume, const StorePlaces& places, const Snapshot& snapshot) {
  const unsigned index = snapshot.index;
  StoreMap map;
  walk_chain(volume, places.block_list, record_block_list, fmt::format("block list of store {}", index),
             [&](std::span<const std::byte> block, std::uint64_t offset) {
               for (std::size_t at = sizeof(BlockHeader); at + sizeof(BlockDescriptor) <= block.size();
                    at += sizeof(BlockDescriptor)) {
                 const auto descriptor = load<BlockDescriptor>(block, at);
                 if (descriptor.original_offset.value() == 0 && descriptor.store_offset.value() == 0 &&
                     descriptor.relative_offset.value() == 0 && descriptor.flags.value() == 0) {
                   continue;  // an empty slot
                 }
                 add_descriptor(descriptor, map, snapshot, offset + at, volume.size());
               }
             });
  return map;
}

StoreBitmaps read_store_bitmaps(const ByteSource& volume, const StorePlaces& places, const Snapshot& snapshot) {
  StoreBitmaps bitmaps;
  if (places.bitmap != 0) {
    bitmaps.bitmap = read_bitmap(volume, places.bitmap, fmt::format("bitmap of store {}", snapshot.index));
  }
  if (places.previous_bitmap != 0) {
    bitmaps.previous = read_bitmap(volume, places.previous_bitmap,
                                   fmt::format("previous bitmap of store {}", snapshot.index));
  }
  return bitmaps;
}

}  // namespace diskimg::vss
