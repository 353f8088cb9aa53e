// CRC-32 (IEEE 802.3, as GPT uses it), computed by zlib.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace diskimg {

std::uint32_t crc32_of(std::span<const std::byte> bytes);

}  // namespace diskimg
