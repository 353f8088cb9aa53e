/// @file
/// The GUID partition table: headers at LBA 1 and the last LBA, CRC-checked entry arrays.
#pragma once

#include <diskimg/layout/partition_table.hpp>

namespace diskimg {

/// Well-known partition type GUIDs, as Guid::parse and Guid::to_string write them.
namespace gpt_type {
/// EFI system partition.
inline constexpr std::string_view efi_system = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
/// Microsoft reserved partition (MSR).
inline constexpr std::string_view microsoft_reserved = "E3C9E316-0B5C-4DB8-817D-F92DF00215AE";
/// Microsoft basic data: NTFS, FAT and exFAT volumes of basic disks.
inline constexpr std::string_view basic_data = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";
/// The LDM metadata partition of a dynamic disk: its database, PRIVHEAD in its last sector.
inline constexpr std::string_view ldm_metadata = "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3";
/// The LDM data partition of a dynamic disk: where its volumes' extents lie.
inline constexpr std::string_view ldm_data = "AF9B60A0-1431-4F62-BC68-3311714A69AD";
/// Windows recovery environment.
inline constexpr std::string_view windows_recovery = "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC";
}  // namespace gpt_type

/// The sector size (512 or 4096) at whose LBA 1 an "EFI PART" signature lies, if any.
/// Throws IoError when a sector cannot be read.
std::optional<std::uint32_t> find_gpt_sector_size(const ByteSource& disk);

/// Reads the primary GPT, or the backup with a warning when the primary is damaged.
/// Entries with impossible LBAs, partitions past the disk's end and overlaps become
/// warnings. Throws FormatError naming both headers' faults when neither is usable (or the
/// disk is too small for a GPT), IoError when a sector cannot be read.
PartitionTable read_gpt(const ByteSource& disk, std::uint32_t sector_size);

}  // namespace diskimg
