#include "core/utf.hpp"

namespace diskimg {
namespace {

constexpr char32_t replacement = 0xFFFD;

void append_utf8(std::string& out, char32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

bool is_high_surrogate(char16_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool is_low_surrogate(char16_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

char16_t utf16le_unit_at(std::span<const std::byte> bytes, std::size_t offset) {
  return static_cast<char16_t>(std::to_integer<unsigned>(bytes[offset]) |
                               (std::to_integer<unsigned>(bytes[offset + 1]) << 8));
}

}  // namespace

std::string utf16_to_utf8(std::u16string_view units) {
  std::string out;
  append_utf16_as_utf8(out, units);
  return out;
}

void append_utf16_as_utf8(std::string& out, std::u16string_view units) {
  out.reserve(out.size() + units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    const char16_t unit = units[i];
    if (is_high_surrogate(unit) && i + 1 < units.size() && is_low_surrogate(units[i + 1])) {
      const char32_t code_point =
          0x10000 + ((char32_t{unit} - 0xD800) << 10) + (char32_t{units[i + 1]} - 0xDC00);
      append_utf8(out, code_point);
      ++i;
    } else if (is_high_surrogate(unit) || is_low_surrogate(unit)) {
      append_utf8(out, replacement);
    } else {
      append_utf8(out, unit);
    }
  }
}

std::u16string utf8_to_utf16(std::string_view text) {
  std::u16string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                       : (lead >> 3) == 0x1E ? 4 : 0;
    char32_t code_point = length == 1 ? lead : length == 2 ? (lead & 0x1F)
                        : length == 3 ? (lead & 0x0F) : (lead & 0x07);
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (!valid || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      out.push_back(static_cast<char16_t>(replacement));
      i += 1;
      continue;
    }
    if (code_point >= 0x10000) {
      code_point -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (code_point >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (code_point & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(code_point));
    }
    i += length;
  }
  return out;
}

void append_utf16le_units(std::u16string& out, std::span<const std::byte> bytes) {
  // Sized once, then filled: $UpCase alone is 65536 units, decoded at every volume opening.
  const std::size_t start = out.size();
  const std::size_t count = bytes.size() / 2;
  out.resize(start + count);
  for (std::size_t i = 0; i < count; ++i) out[start + i] = utf16le_unit_at(bytes, 2 * i);
}

std::u16string utf16le_units(std::span<const std::byte> bytes) {
  std::u16string units;
  units.reserve(bytes.size() / 2);
  append_utf16le_units(units, bytes);
  return units;
}

std::string utf16le_to_utf8(std::span<const std::byte> bytes) {
  return utf16_to_utf8(utf16le_units(bytes));
}

std::vector<std::byte> utf8_to_utf16le(std::string_view text) {
  const std::u16string units = utf8_to_utf16(text);
  std::vector<std::byte> bytes;
  bytes.reserve(units.size() * 2);
  for (const char16_t unit : units) {
    bytes.push_back(static_cast<std::byte>(unit & 0xFF));
    bytes.push_back(static_cast<std::byte>(unit >> 8));
  }
  return bytes;
}

std::span<const std::byte> utf16le_before_nul(std::span<const std::byte> bytes) {
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    if (utf16le_unit_at(bytes, i) == 0) return bytes.first(i);
  }
  return bytes;
}

}  // namespace diskimg
