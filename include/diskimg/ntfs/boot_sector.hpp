/// @file
/// The NTFS boot sector: where everything else on the volume is found.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace diskimg::ntfs {

/// What an NTFS boot sector says, checked: a plain value.
struct BootSector {
  std::uint32_t bytes_per_sector = 0;   ///< a power of two, 256 .. 4096
  std::uint32_t cluster_size = 0;       ///< bytes, up to 2 MiB
  std::uint64_t total_sectors = 0;      ///< the volume, without its backup boot sector
  std::uint64_t total_clusters = 0;     ///< clusters the volume has
  std::uint64_t mft_lcn = 0;            ///< the first cluster of $MFT
  std::uint64_t mft_mirror_lcn = 0;     ///< the first cluster of $MFTMirr
  std::uint32_t file_record_size = 0;   ///< bytes
  std::uint32_t index_block_size = 0;   ///< bytes
  std::uint64_t serial_number = 0;      ///< the volume serial number
  std::uint32_t hidden_sectors = 0;     ///< the partition's first LBA, as Windows boots it
};

/// Parses and checks a boot sector. `volume_size` (bytes) bounds the volume it describes.
/// Throws FormatError naming the field at fault.
BootSector parse_boot_sector(std::span<const std::byte> sector, std::uint64_t volume_size);

}  // namespace diskimg::ntfs
