// CRC-32 (IEEE 802.3, as GPT and zlib use it) and CRC-32C (Castagnoli, as VHDX uses it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace diskimg {

// Computed by zlib.
std::uint32_t crc32_of(std::span<const std::byte> bytes);

// The Castagnoli polynomial 0x1EDC6F41, reflected, initial and final value all ones (the
// iSCSI CRC): computed by Boost.CRC.
std::uint32_t crc32c_of(std::span<const std::byte> bytes);

}  // namespace diskimg
