/// @file
/// $STANDARD_INFORMATION: the times and file attributes Windows shows for a file and, from
/// NTFS 3.0 on, its owner, security descriptor (an id into $Secure), quota and update
/// sequence number. Every base record has one, resident.
#pragma once

#include <diskimg/ntfs/file_name.hpp>

#include <cstdint>
#include <optional>
#include <span>

namespace diskimg::ntfs {

/// A $STANDARD_INFORMATION as parsed: a plain value.
struct StandardInformation {
  FileTimes times;                      ///< the times Windows shows
  Flags<FileAttribute> file_attributes; ///< read-only, hidden, system, archive, sparse, ...
  std::optional<std::uint32_t> owner_id;     ///< NTFS 3.0+: the owner's id in $Quota
  std::optional<std::uint32_t> security_id;  ///< NTFS 3.0+: the descriptor's id in $Secure
  std::optional<std::uint64_t> quota_charged;  ///< NTFS 3.0+: bytes charged to the owner's quota
  std::optional<std::uint64_t> usn;          ///< NTFS 3.0+: the last change's number in $UsnJrnl
};

/// Parses a $STANDARD_INFORMATION value: 48 bytes (NTFS 1.2), or 72 (3.0 and later), which
/// add the last four fields. Throws FormatError when it is shorter than 48 bytes.
StandardInformation parse_standard_information(std::span<const std::byte> value);

}  // namespace diskimg::ntfs
