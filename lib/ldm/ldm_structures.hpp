// On-disk structures of the Logical Disk Manager database (Windows dynamic disks). Sources:
// Linux block/partitions/ldm.h and Documentation/admin-guide/ldm.rst, libldm src/ldm.c,
// FreeBSD g_part_ldm.c; offsets checked on Windows 2003 R2 and 2008 R2 sample disks.
// All fields big-endian; sector numbers in the disk's
// logical sectors.
#pragma once

#include <boost/endian/buffers.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace diskimg::ldm {

using boost::endian::big_uint16_buf_t;
using boost::endian::big_uint32_buf_t;
using boost::endian::big_uint64_buf_t;

#pragma pack(push, 1)
struct PrivateHeader {                     // "PRIVHEAD", one sector
  std::array<char, 8> magic;               // 0x000
  big_uint32_buf_t checksum;               // 0x008 byte sum of the sector, this field zero
  big_uint16_buf_t version_major;          // 0x00C 2
  big_uint16_buf_t version_minor;          // 0x00E 11 (2000-2003), 12 (Vista on)
  big_uint64_buf_t timestamp;              // 0x010 FILETIME
  big_uint64_buf_t sequence;               // 0x018
  big_uint64_buf_t primary_privhead;       // 0x020 relative to the database start
  big_uint64_buf_t secondary_privhead;     // 0x028
  std::array<char, 64> disk_guid;          // 0x030 ASCII, NUL-padded
  std::array<char, 64> host_guid;          // 0x070
  std::array<char, 64> disk_group_guid;    // 0x0B0
  std::array<char, 31> disk_group_name;    // 0x0F0
  big_uint32_buf_t bytes_per_sector;       // 0x10F
  big_uint32_buf_t flags;                  // 0x113
  std::array<std::byte, 4> reserved;       // 0x117
  big_uint64_buf_t data_start;             // 0x11B the volumes' area ("logical disk")
  big_uint64_buf_t data_size;              // 0x123
  big_uint64_buf_t config_start;           // 0x12B the database, absolute
  big_uint64_buf_t config_size;            // 0x133
  big_uint64_buf_t primary_toc;            // 0x13B relative to config_start
  big_uint64_buf_t secondary_toc;          // 0x143
};
static_assert(sizeof(PrivateHeader) == 0x14B);

struct TocRegion {                         // 0x22 bytes, from 0x24 in a TOCBLOCK
  std::array<char, 8> name;                // "config" or "log", NUL-padded
  big_uint16_buf_t flags;
  big_uint64_buf_t start;                  // sectors, relative to config_start
  big_uint64_buf_t size;                   // sectors
  std::array<std::byte, 8> reserved;
};
static_assert(sizeof(TocRegion) == 0x22);

struct TocBlock {                          // "TOCBLOCK", one sector
  std::array<char, 8> magic;               // 0x00
  big_uint32_buf_t checksum;               // 0x08 as PRIVHEAD's
  big_uint64_buf_t sequence;               // 0x0C
  std::array<std::byte, 16> reserved;      // 0x14
  std::array<TocRegion, 2> regions;        // 0x24
};
static_assert(sizeof(TocBlock) == 0x68);

struct VmdbHeader {                        // "VMDB", at the config region's start
  std::array<char, 4> magic;               // 0x00
  big_uint32_buf_t vblk_count;             // 0x04 slots, the header's own 4 included
  big_uint32_buf_t vblk_size;              // 0x08 128
  big_uint32_buf_t first_vblk_offset;      // 0x0C 512
  big_uint16_buf_t update_status;          // 0x10 1 clean ... 6 stale
  big_uint16_buf_t version_major;          // 0x12 4
  big_uint16_buf_t version_minor;          // 0x14 10
  std::array<char, 31> disk_group_name;    // 0x16
  std::array<char, 64> disk_group_guid;    // 0x35
  big_uint64_buf_t committed_sequence;     // 0x75
  big_uint64_buf_t pending_sequence;       // 0x7D
};
static_assert(sizeof(VmdbHeader) == 0x85);

struct VblkHeader {                        // the first 0x10 bytes of every VBLK slot
  std::array<char, 4> magic;               // 0x00 "VBLK"
  big_uint32_buf_t sequence;               // 0x04 slot number
  big_uint32_buf_t group;                  // 0x08 the record this fragment belongs to
  big_uint16_buf_t fragment;               // 0x0C index
  big_uint16_buf_t fragment_count;         // 0x0E 0 in an unused slot
};
static_assert(sizeof(VblkHeader) == 0x10);

struct RecordHeader {                      // at 0x10 of a record's first fragment
  big_uint16_buf_t status;                 // 0x10 0 active, 1 deleting, 2 pending
  std::uint8_t flags;                      // 0x12 which optional fields follow
  std::uint8_t revision_and_type;          // 0x13 revision << 4 | type
  big_uint32_buf_t data_length;            // 0x14 bytes from 0x18
};
static_assert(sizeof(RecordHeader) == 8);
#pragma pack(pop)

inline constexpr std::array<char, 8> privhead_magic = {'P', 'R', 'I', 'V', 'H', 'E', 'A', 'D'};
inline constexpr std::array<char, 8> tocblock_magic = {'T', 'O', 'C', 'B', 'L', 'O', 'C', 'K'};

// Record types (the low nibble of revision_and_type).
inline constexpr unsigned record_volume = 1;
inline constexpr unsigned record_component = 2;
inline constexpr unsigned record_partition = 3;
inline constexpr unsigned record_disk = 4;
inline constexpr unsigned record_disk_group = 5;

// Optional fields, by the record header's flags.
inline constexpr std::uint8_t volume_has_id1 = 0x08;
inline constexpr std::uint8_t volume_has_id2 = 0x20;
inline constexpr std::uint8_t volume_has_size2 = 0x80;
inline constexpr std::uint8_t volume_has_drive_hint = 0x02;
inline constexpr std::uint8_t component_has_stripe = 0x10;
inline constexpr std::uint8_t partition_has_column = 0x08;

// A record joined from more fragments than this is refused: Windows writes at most a few
// (a volume with a long name), and the Linux driver's limit is 4.
inline constexpr unsigned max_fragments = 32;

}  // namespace diskimg::ldm
