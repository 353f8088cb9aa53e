// Walking the lists VSS keeps as chains of 16 KiB blocks (catalog, block lists, bitmaps),
// guarded: each block must lie inside the volume on a 16 KiB boundary, carry the VSS
// identifier and the list's record type, and be visited once; a list can hold no more
// blocks than the volume does. A fault is a FormatError naming the list and the offset.
#pragma once

#include <diskimg/source/byte_source.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace diskimg::vss {

// Calls `visit` with each block of the chain starting at `first` (its 16 KiB, header
// included) and its offset, in chain order, until a block whose next offset is 0.
// `what` names the list in errors ("catalog", "block list of store 2").
void walk_chain(const ByteSource& volume, std::uint64_t first, std::uint32_t record_type, const std::string& what,
                const std::function<void(std::span<const std::byte> block, std::uint64_t offset)>& visit);

// Whether the 16 bytes at the start of `bytes` are the VSS identifier.
bool is_vss_identifier(std::span<const std::byte> bytes);

}  // namespace diskimg::vss
