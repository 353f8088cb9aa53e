// The NTFS boot sector. Sources: libfsntfs documentation "New Technologies File System
// (NTFS)", section "Volume header"; ntfs-3g layout.h struct NTFS_BOOT_SECTOR.
#pragma once

#include <boost/endian/buffers.hpp>

#include <array>
#include <cstdint>

namespace diskimg::ntfs::disk {

using boost::endian::little_int8_buf_t;
using boost::endian::little_uint16_buf_t;
using boost::endian::little_uint32_buf_t;
using boost::endian::little_uint64_buf_t;

#pragma pack(push, 1)
struct BootSector {                            // the first 512 bytes of the volume
  std::array<std::uint8_t, 3> jump;            // 0x00
  std::array<char, 8> oem_id;                  // 0x03 "NTFS    "
  little_uint16_buf_t bytes_per_sector;        // 0x0B 512 .. 4096
  std::uint8_t sectors_per_cluster;            // 0x0D 1..128, or 2^(256-n) above 128
  little_uint16_buf_t reserved_sectors;        // 0x0E 0
  std::array<std::uint8_t, 5> unused1;         // 0x10
  std::uint8_t media_descriptor;               // 0x15 0xF8
  little_uint16_buf_t unused2;                 // 0x16
  little_uint16_buf_t sectors_per_track;       // 0x18
  little_uint16_buf_t heads;                   // 0x1A
  little_uint32_buf_t hidden_sectors;          // 0x1C the partition's first LBA
  little_uint32_buf_t unused3;                 // 0x20
  little_uint32_buf_t unused4;                 // 0x24 0x00800080
  little_uint64_buf_t total_sectors;           // 0x28 excludes the backup boot sector
  little_uint64_buf_t mft_lcn;                 // 0x30
  little_uint64_buf_t mft_mirror_lcn;          // 0x38
  little_int8_buf_t clusters_per_file_record;  // 0x40 > 0 clusters, < 0 means 2^-n bytes
  std::array<std::uint8_t, 3> unused5;         // 0x41
  little_int8_buf_t clusters_per_index_block;  // 0x44 same encoding
  std::array<std::uint8_t, 3> unused6;         // 0x45
  little_uint64_buf_t serial_number;           // 0x48
  little_uint32_buf_t checksum;                // 0x50 unused by Windows
  std::array<std::uint8_t, 426> boot_code;     // 0x54
  little_uint16_buf_t signature;               // 0x1FE 0xAA55
};
#pragma pack(pop)
static_assert(sizeof(BootSector) == 512);

}  // namespace diskimg::ntfs::disk
