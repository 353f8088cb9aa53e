/// @file
/// Sizes as people write them: "1048576", "512K", "2M", "40G", "1T".
#pragma once

#include <cstdint>
#include <string_view>

namespace diskimg {

/// The bytes `text` names: a number of bytes, or one followed by K, M, G or T (either case;
/// powers of 1024). Throws UsageError naming `text` when it is anything else or more than
/// 2^64 - 1 bytes.
std::uint64_t parse_size(std::string_view text);

}  // namespace diskimg
