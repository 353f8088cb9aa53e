// Text conversions for names stored on disk.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace diskimg {

// UTF-16 code units to UTF-8. Unpaired surrogates (NTFS allows them) become U+FFFD.
std::string utf16_to_utf8(std::u16string_view units);
// The same, appended to `out` (whose capacity a loop over many names reuses).
void append_utf16_as_utf8(std::string& out, std::u16string_view units);
// UTF-8 to UTF-16 code units. Invalid sequences become U+FFFD.
std::u16string utf8_to_utf16(std::string_view text);

// UTF-16LE as NTFS, GPT and VHD locators store it: byte pairs, low byte first, at any
// alignment. A last odd byte is no code unit and is left out.
void append_utf16le_units(std::u16string& out, std::span<const std::byte> bytes);
std::u16string utf16le_units(std::span<const std::byte> bytes);
std::string utf16le_to_utf8(std::span<const std::byte> bytes);
std::vector<std::byte> utf8_to_utf16le(std::string_view text);
// The bytes before the first NUL code unit (all of them without one): the text of a
// fixed-size, NUL-padded name field.
std::span<const std::byte> utf16le_before_nul(std::span<const std::byte> bytes);

}  // namespace diskimg
