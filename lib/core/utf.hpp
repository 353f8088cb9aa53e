// Text conversions for names stored on disk.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace diskimg {

// UTF-16 code units to UTF-8. Unpaired surrogates (NTFS allows them) become U+FFFD.
std::string utf16_to_utf8(std::span<const std::uint16_t> units);
// UTF-8 to UTF-16 code units. Invalid sequences become U+FFFD.
std::u16string utf8_to_utf16(std::string_view text);

}  // namespace diskimg
