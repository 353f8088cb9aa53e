// Hexadecimal digits in text: GUIDs, percent-escapes in file URLs.
#pragma once

#include <optional>
#include <string_view>

namespace diskimg {

// The value of one hexadecimal digit (either case); nothing for any other character.
constexpr std::optional<unsigned> hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<unsigned>(c - 'A' + 10);
  return std::nullopt;
}

// The byte that two hexadecimal digits spell ("3f", "3F"); nothing unless `digits` is
// exactly two such digits.
constexpr std::optional<unsigned char> hex_byte(std::string_view digits) {
  if (digits.size() != 2) return std::nullopt;
  const std::optional<unsigned> high = hex_digit_value(digits[0]);
  const std::optional<unsigned> low = hex_digit_value(digits[1]);
  if (!high || !low) return std::nullopt;
  return static_cast<unsigned char>(*high * 16 + *low);
}

}  // namespace diskimg
