// On-disk structures of the MBR and of each EBR (the same 512-byte layout).
// Source: the IBM PC boot sector convention; Linux block/partitions/msdos.c.
#pragma once

#include <boost/endian/buffers.hpp>

#include <array>
#include <cstdint>

namespace diskimg::mbr {

using boost::endian::little_uint32_buf_t;

struct PartitionEntry {            // 16 bytes
  std::uint8_t status;             // 0x00 0x80 = bootable
  std::array<std::uint8_t, 3> chs_first;  // 0x01 ignored: LBA fields are used
  std::uint8_t type;               // 0x04
  std::array<std::uint8_t, 3> chs_last;   // 0x05 ignored
  little_uint32_buf_t first_lba;   // 0x08 relative: see the EBR rules in mbr.cpp
  little_uint32_buf_t sector_count;  // 0x0C
};
static_assert(sizeof(PartitionEntry) == 16);

struct BootSector {                // 512 bytes: sector 0 (MBR) or an EBR
  std::array<std::uint8_t, 440> boot_code;   // 0x000
  little_uint32_buf_t disk_signature;        // 0x1B8 (MBR only)
  std::array<std::uint8_t, 2> reserved;      // 0x1BC
  std::array<PartitionEntry, 4> entries;     // 0x1BE
  std::array<std::uint8_t, 2> signature;     // 0x1FE 0x55 0xAA
};
static_assert(sizeof(BootSector) == 512);

inline constexpr std::uint8_t type_empty = 0x00;
inline constexpr std::uint8_t type_gpt_protective = 0xEE;

inline bool is_extended_type(std::uint8_t type) {
  return type == 0x05 || type == 0x0F || type == 0x85;
}

}  // namespace diskimg::mbr
