// On-disk structures of the VHDX format. Source: Microsoft Open Specifications [MS-VHDX]
// "Virtual Hard Disk v2 (VHDX) File Format" (revision of 2024-04-23), section 2.
// Every field is little-endian; GUIDs are stored as Windows stores them (the first three fields little-endian). Checksums are CRC-32C over the whole
// structure with the checksum field zero. Shared by the reader and the writer, which share
// nothing else.
#pragma once

#include <boost/endian/buffers.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace diskimg::vhdx::disk {

using boost::endian::little_uint16_buf_t;
using boost::endian::little_uint32_buf_t;
using boost::endian::little_uint64_buf_t;
using RawGuid = std::array<std::byte, 16>;

inline constexpr std::uint64_t KiB = 1024;
inline constexpr std::uint64_t MiB = 1024 * KiB;

// --- The header section: the first 1 MiB (2.2) -------------------------------------------
inline constexpr std::uint64_t identifier_offset = 0;
inline constexpr std::uint64_t header_offsets[2] = {64 * KiB, 128 * KiB};
inline constexpr std::uint64_t region_table_offsets[2] = {192 * KiB, 256 * KiB};
inline constexpr std::uint64_t header_section_size = 1 * MiB;
inline constexpr std::uint64_t alignment = 1 * MiB;  // every object past the header section

struct FileIdentifier {                        // 2.2.1, at offset 0 (a 64 KiB area)
  std::array<char, 8> signature;               // 0x000 "vhdxfile"
  std::array<little_uint16_buf_t, 256> creator;  // 0x008 UTF-16, diagnostic only
};
static_assert(sizeof(FileIdentifier) == 520);

struct Header {                                // 2.2.2, 4 KiB at 64 KiB and 128 KiB
  std::array<char, 4> signature;               // 0x000 "head"
  little_uint32_buf_t checksum;                // 0x004 CRC-32C over the 4 KiB
  little_uint64_buf_t sequence_number;         // 0x008 the larger of two valid ones is current
  RawGuid file_write_guid;                     // 0x010 new on every open for writing
  RawGuid data_write_guid;                     // 0x020 new before the first change of data
  RawGuid log_guid;                            // 0x030 zero: no log to replay
  little_uint16_buf_t log_version;             // 0x040 0
  little_uint16_buf_t version;                 // 0x042 1
  little_uint32_buf_t log_length;              // 0x044 a multiple of 1 MiB
  little_uint64_buf_t log_offset;              // 0x048 a multiple of 1 MiB
  std::array<std::byte, 4016> reserved;        // 0x050
};
static_assert(sizeof(Header) == 4096);

struct RegionTableHeader {                     // 2.2.3.1, at 192 KiB and 256 KiB (64 KiB each)
  std::array<char, 4> signature;               // 0x00 "regi"
  little_uint32_buf_t checksum;                // 0x04 CRC-32C over the 64 KiB table
  little_uint32_buf_t entry_count;             // 0x08 at most 2047
  little_uint32_buf_t reserved;                // 0x0C
};
static_assert(sizeof(RegionTableHeader) == 16);

struct RegionTableEntry {                      // 2.2.3.2, 32 bytes after the header
  RawGuid guid;                                // 0x00 BAT, metadata, or unknown
  little_uint64_buf_t file_offset;             // 0x10 a multiple of 1 MiB, at least 1 MiB
  little_uint32_buf_t length;                  // 0x18 a multiple of 1 MiB
  little_uint32_buf_t required;                // 0x1C 1: the reader must know the region
};
static_assert(sizeof(RegionTableEntry) == 32);

inline constexpr std::uint64_t region_table_size = 64 * KiB;
inline constexpr std::uint32_t max_region_entries = 2047;
inline constexpr std::string_view bat_region_guid = "2DC27766-F623-4200-9D64-115E9BFD4A08";
inline constexpr std::string_view metadata_region_guid = "8B7CA206-4790-4B9A-B8FE-575F050F886E";

// --- The log (2.3) ------------------------------------------------------------------------
inline constexpr std::uint64_t log_sector = 4 * KiB;

struct LogEntryHeader {                        // 2.3.1.1, first 64 bytes of an entry
  std::array<char, 4> signature;               // 0x00 "loge"
  little_uint32_buf_t checksum;                // 0x04 CRC-32C over entry_length bytes
  little_uint32_buf_t entry_length;            // 0x08 a multiple of 4 KiB
  little_uint32_buf_t tail;                    // 0x0C the first entry of this one's sequence
  little_uint64_buf_t sequence_number;         // 0x10 above zero, +1 per entry
  little_uint32_buf_t descriptor_count;        // 0x18
  little_uint32_buf_t reserved;                // 0x1C
  RawGuid log_guid;                            // 0x20 the header's, when written
  little_uint64_buf_t flushed_file_offset;     // 0x30 the file is at least this long
  little_uint64_buf_t last_file_offset;        // 0x38 every structure fits below this
};
static_assert(sizeof(LogEntryHeader) == 64);

struct ZeroDescriptor {                        // 2.3.1.2, 32 bytes
  std::array<char, 4> signature;               // 0x00 "zero"
  little_uint32_buf_t reserved;                // 0x04
  little_uint64_buf_t zero_length;             // 0x08 a multiple of 4 KiB
  little_uint64_buf_t file_offset;             // 0x10 a multiple of 4 KiB
  little_uint64_buf_t sequence_number;         // 0x18 the entry's
};
static_assert(sizeof(ZeroDescriptor) == 32);

struct DataDescriptor {                        // 2.3.1.3, 32 bytes
  std::array<char, 4> signature;               // 0x00 "desc"
  std::array<std::byte, 4> trailing_bytes;     // 0x04 the sector's last 4 bytes
  std::array<std::byte, 8> leading_bytes;      // 0x08 the sector's first 8 bytes
  little_uint64_buf_t file_offset;             // 0x10 a multiple of 4 KiB
  little_uint64_buf_t sequence_number;         // 0x18 the entry's
};
static_assert(sizeof(DataDescriptor) == 32);

struct DataSector {                            // 2.3.1.4, 4 KiB after the descriptors
  std::array<char, 4> signature;               // 0x000 "data"
  little_uint32_buf_t sequence_high;           // 0x004 the entry's sequence, high half
  std::array<std::byte, 4084> data;            // 0x008 bytes 8..4091 of the sector
  little_uint32_buf_t sequence_low;            // 0xFFC the entry's sequence, low half
};
static_assert(sizeof(DataSector) == 4096);

inline constexpr std::size_t descriptors_per_sector = 128;  // 126 in the first, after the header

// --- The BAT (2.5) ------------------------------------------------------------------------
// A 64-bit entry: the state in bits 0-2, the file offset in MiB in bits 20-63.
inline constexpr std::uint64_t bat_state_mask = 0x7;
inline constexpr unsigned bat_offset_shift = 20;

enum PayloadState : std::uint8_t {
  payload_not_present = 0,
  payload_undefined = 1,
  payload_zero = 2,
  payload_unmapped = 3,
  payload_fully_present = 6,
  payload_partially_present = 7,
};
enum BitmapState : std::uint8_t { bitmap_not_present = 0, bitmap_present = 6 };

// A sector bitmap block covers 2^23 logical sectors (one bit each); its chunk is that many
// sectors of the disk.
inline constexpr std::uint64_t sectors_per_bitmap_block = std::uint64_t{1} << 23;
inline constexpr std::uint64_t bitmap_block_size = 1 * MiB;

// --- The metadata region (2.6) ------------------------------------------------------------
struct MetadataTableHeader {                   // 2.6.1.1, at the region's start (64 KiB table)
  std::array<char, 8> signature;               // 0x00 "metadata"
  little_uint16_buf_t reserved;                // 0x08
  little_uint16_buf_t entry_count;             // 0x0A at most 2047
  std::array<std::byte, 20> reserved2;         // 0x0C
};
static_assert(sizeof(MetadataTableHeader) == 32);

struct MetadataTableEntry {                    // 2.6.1.2, 32 bytes after the header
  RawGuid item_id;                             // 0x00
  little_uint32_buf_t offset;                  // 0x10 from the region's start, at least 64 KiB
  little_uint32_buf_t length;                  // 0x14 at most 1 MiB
  little_uint32_buf_t flags;                   // 0x18 bit 0 IsUser, 1 IsVirtualDisk, 2 IsRequired
  little_uint32_buf_t reserved2;               // 0x1C
};
static_assert(sizeof(MetadataTableEntry) == 32);

inline constexpr std::uint64_t metadata_table_size = 64 * KiB;
inline constexpr std::uint32_t max_metadata_entries = 2047;
inline constexpr std::uint32_t metadata_is_user = 0x1;
inline constexpr std::uint32_t metadata_is_virtual_disk = 0x2;
inline constexpr std::uint32_t metadata_is_required = 0x4;

inline constexpr std::string_view file_parameters_guid = "CAA16737-FA36-4D43-B3B6-33F0AA44E76B";
inline constexpr std::string_view virtual_disk_size_guid = "2FA54224-CD1B-4876-B211-5DBED83BF4B8";
inline constexpr std::string_view virtual_disk_id_guid = "BECA12AB-B2E6-4523-93EF-C309E000C746";
inline constexpr std::string_view logical_sector_size_guid = "8141BF1D-A96F-4709-BA47-F233A8FAAB5F";
inline constexpr std::string_view physical_sector_size_guid = "CDA348C7-445D-4471-9CC9-E9885251C556";
inline constexpr std::string_view parent_locator_guid = "A8D35F2D-B30B-454D-ABF7-D3D84834AB0C";
inline constexpr std::string_view vhdx_locator_type_guid = "B04AEFB7-D19E-4A81-B789-25B8E9445913";

struct FileParameters {                        // 2.6.2.1
  little_uint32_buf_t block_size;              // 0x00 1 MiB .. 256 MiB, a power of two
  little_uint32_buf_t flags;                   // 0x04 bit 0 LeaveBlockAllocated, 1 HasParent
};
static_assert(sizeof(FileParameters) == 8);
inline constexpr std::uint32_t leave_blocks_allocated = 0x1;
inline constexpr std::uint32_t has_parent = 0x2;

struct ParentLocatorHeader {                   // 2.6.2.6.1
  RawGuid locator_type;                        // 0x00 the VHDX locator's GUID
  little_uint16_buf_t reserved;                // 0x10
  little_uint16_buf_t key_value_count;         // 0x12
};
static_assert(sizeof(ParentLocatorHeader) == 20);

struct ParentLocatorEntry {                    // 2.6.2.6.2, 12 bytes after the header
  little_uint32_buf_t key_offset;              // 0x00 within the item
  little_uint32_buf_t value_offset;            // 0x04 within the item
  little_uint16_buf_t key_length;              // 0x08 bytes of UTF-16LE
  little_uint16_buf_t value_length;            // 0x0A bytes of UTF-16LE
};
static_assert(sizeof(ParentLocatorEntry) == 12);

}  // namespace diskimg::vhdx::disk
