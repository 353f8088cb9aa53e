/// @file
/// Which file system a volume holds, judged from its first sector (as blkid does).
#pragma once

#include <diskimg/source/byte_source.hpp>
#include <diskimg/source/patched_source.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace diskimg {

/// The file systems a volume's first sector is recognised as.
enum class FilesystemKind {
  unknown,  ///< none of the others
  ntfs,     ///< "NTFS    " at offset 3
  fat,      ///< a FAT12, FAT16 or FAT32 BIOS parameter block
  exfat     ///< "EXFAT   " at offset 3
};
/// "unknown", "ntfs", "fat", "exfat".
std::string_view to_string(FilesystemKind kind);

/// Judges a volume's first sector (at least 512 bytes; fewer give unknown). Never throws.
FilesystemKind sniff_boot_sector(std::span<const std::byte> first_sector);

/// The logical sector size a volume's first sector declares (NTFS and FAT: the BIOS
/// parameter block's bytes per sector; exFAT: 2 to its bytes-per-sector shift), when the
/// file system is recognised and the size is a power of two from 512 to 4096; nothing
/// otherwise. What a bare volume image (no partition table) is read with. Never throws.
std::optional<std::uint32_t> declared_sector_size(std::span<const std::byte> first_sector);

/// Reads the volume's first sector and judges it; a volume smaller than a sector is
/// unknown. Throws IoError when the sector cannot be read.
FilesystemKind sniff_filesystem(const ByteSource& volume);

/// The 512-byte boot sector at `offset` of `volume` with its hidden-sectors field (offset
/// 0x1C of the BIOS parameter block FAT and NTFS share) set to `hidden_sectors`: the first
/// LBA of the partition holding the volume, which Windows checks when it boots from it.
/// Throws IoError when the sector cannot be read.
Patch hidden_sectors_patch(const ByteSource& volume, std::uint64_t offset,
                           std::uint32_t hidden_sectors);

}  // namespace diskimg
