/// @file
/// One volume as a disk of its own: a fresh MBR with one partition at 1 MiB holding the
/// volume, for a conversion that makes each volume a virtual disk of its own. The boot
/// sector's hidden-sectors field (NTFS and FAT; NTFS's backup boot sector too) is set to
/// the new start, which Windows checks when it boots from the volume.
#pragma once

#include <diskimg/disk/disk.hpp>

#include <optional>

namespace diskimg {

/// Where the wrapped volume starts: 1 MiB, as Windows aligns its first partition.
inline constexpr std::uint64_t wrapped_volume_start = 1 << 20;

/// A byte source: the MBR (`disk_signature`, or a new random one, and one partition of type 0x07 for NTFS
/// and exFAT, 0x0C for FAT, else the original MBR type or 0x07, marked active), zeros up to
/// 1 MiB, then the volume's bytes with its boot sectors patched. Reads through the volume's
/// bytes (shared, kept alive); nothing is written. Throws UsageError when the volume is not
/// a whole number of sectors or too large for an MBR partition, FormatError when an NTFS
/// volume's boot sector cannot be parsed, IoError when a boot sector cannot be read.
SourcePtr wrap_volume_in_mbr(const Disk& disk, const Volume& volume,
                             std::optional<std::uint32_t> disk_signature = std::nullopt);

}  // namespace diskimg
