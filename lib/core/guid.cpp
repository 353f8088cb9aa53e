#include "core/hex.hpp"

#include <diskimg/core/guid.hpp>

#include <algorithm>
#include <random>

#include <fmt/format.h>

namespace diskimg {
namespace {

// Swaps the byte order of Data1, Data2 and Data3: mixed-endian <-> canonical.
std::array<std::byte, 16> swap_leading_fields(std::span<const std::byte, 16> bytes) {
  std::array<std::byte, 16> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  std::reverse(out.begin(), out.begin() + 4);
  std::reverse(out.begin() + 4, out.begin() + 6);
  std::reverse(out.begin() + 6, out.begin() + 8);
  return out;
}

}  // namespace

Guid Guid::from_mixed_endian(std::span<const std::byte, 16> bytes) {
  Guid guid;
  guid.bytes_ = swap_leading_fields(bytes);
  return guid;
}

Guid Guid::from_big_endian(std::span<const std::byte, 16> bytes) {
  Guid guid;
  std::copy(bytes.begin(), bytes.end(), guid.bytes_.begin());
  return guid;
}

std::optional<Guid> Guid::parse(std::string_view text) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, 36);
  }
  if (text.size() != 36) return std::nullopt;
  Guid guid;
  std::size_t byte = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const std::optional<unsigned char> value = hex_byte(text.substr(i, 2));
    if (!value) return std::nullopt;
    guid.bytes_[byte++] = static_cast<std::byte>(*value);
    i += 2;
  }
  return guid;
}

Guid Guid::random() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  Guid guid;
  for (auto& b : guid.bytes_) b = static_cast<std::byte>(generator() & 0xFF);
  guid.bytes_[6] = (guid.bytes_[6] & std::byte{0x0F}) | std::byte{0x40};  // version 4
  guid.bytes_[8] = (guid.bytes_[8] & std::byte{0x3F}) | std::byte{0x80};  // RFC 4122 variant
  return guid;
}

std::array<std::byte, 16> Guid::to_mixed_endian() const { return swap_leading_fields(bytes_); }

std::string Guid::to_string() const {
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out += fmt::format("{:02X}", std::to_integer<unsigned>(bytes_[i]));
  }
  return out;
}

bool Guid::is_zero() const {
  return std::all_of(bytes_.begin(), bytes_.end(), [](std::byte b) { return b == std::byte{0}; });
}

}  // namespace diskimg
