// A GUID as GPT, VHD and LDM store them. Held in the canonical (RFC 4122, big-endian)
// byte order; the mixed-endian form of GPT and Windows (first three fields little-endian)
// is converted when read or written.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace diskimg {

class Guid {
 public:
  Guid() = default;

  // From 16 bytes in Windows/GPT order: Data1 (4), Data2 (2), Data3 (2) little-endian.
  static Guid from_mixed_endian(std::span<const std::byte, 16> bytes);
  // From 16 bytes in canonical big-endian order (VHD unique IDs, LDM rev-4 records).
  static Guid from_big_endian(std::span<const std::byte, 16> bytes);
  // From "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" (any case, optional braces).
  static std::optional<Guid> parse(std::string_view text);
  // A random (version 4) GUID.
  static Guid random();

  std::array<std::byte, 16> to_mixed_endian() const;
  std::array<std::byte, 16> to_big_endian() const { return bytes_; }
  // Upper-case "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX", as sfdisk and sgdisk print.
  std::string to_string() const;
  bool is_zero() const;

  auto operator<=>(const Guid&) const = default;

 private:
  std::array<std::byte, 16> bytes_{};
};

}  // namespace diskimg
