/// @file
/// GUIDs as GPT, VHD and LDM store them.
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

/// A GUID as GPT, VHD and LDM store them. Held in the canonical (RFC 4122, big-endian)
/// byte order; the mixed-endian form of GPT and Windows (first three fields little-endian)
/// is converted when read or written. A plain 16-byte value: copy it freely, from any
/// thread. No function of it throws a diskimg::Error.
class Guid {
 public:
  /// The nil GUID (all zeros).
  Guid() = default;

  /// From 16 bytes in Windows/GPT order: Data1 (4), Data2 (2), Data3 (2) little-endian.
  static Guid from_mixed_endian(std::span<const std::byte, 16> bytes);
  /// From 16 bytes in canonical big-endian order (VHD unique IDs, LDM rev-4 records).
  static Guid from_big_endian(std::span<const std::byte, 16> bytes);
  /// From "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" (any case, optional braces); empty for
  /// any other text.
  static std::optional<Guid> parse(std::string_view text);
  /// A random (version 4) GUID, from a per-thread generator seeded by std::random_device:
  /// safe from several threads, not meant for cryptography.
  static Guid random();

  /// The 16 bytes in Windows/GPT order, as GPT entries store them.
  std::array<std::byte, 16> to_mixed_endian() const;
  /// The 16 bytes in canonical order, as VHD stores them.
  std::array<std::byte, 16> to_big_endian() const { return bytes_; }
  /// Upper-case "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX", as sfdisk and sgdisk print.
  std::string to_string() const;
  /// True for the nil GUID (an unused GPT entry's type).
  bool is_zero() const;

  /// Ordered as the canonical bytes are.
  auto operator<=>(const Guid&) const = default;

 private:
  std::array<std::byte, 16> bytes_{};
};

}  // namespace diskimg
