// MFT file records and the attribute records inside them. Sources: libfsntfs
// documentation, sections "MFT entry header", "MFT attribute", "Attribute list entry",
// "File name attribute"; ntfs-3g layout.h (MFT_RECORD, ATTR_RECORD, ATTR_LIST_ENTRY,
// FILE_NAME_ATTR). All fields little-endian.
#pragma once

#include <boost/endian/buffers.hpp>

#include <array>
#include <cstdint>

namespace diskimg::ntfs::disk {

using boost::endian::little_uint16_buf_t;
using boost::endian::little_uint32_buf_t;
using boost::endian::little_uint64_buf_t;

#pragma pack(push, 1)
struct RecordHeader {                      // the start of every "FILE" (and "INDX") record
  std::array<char, 4> magic;               // 0x00 "FILE", "INDX"; "BAAD" after a failed fixup
  little_uint16_buf_t usa_offset;          // 0x04 update sequence array offset
  little_uint16_buf_t usa_count;           // 0x06 1 + number of protected sectors
  little_uint64_buf_t log_sequence_number; // 0x08
};
static_assert(sizeof(RecordHeader) == 16);

struct FileRecordHeader {                  // 48 bytes in NTFS 3.1 (42 in 1.2: no record number)
  RecordHeader header;                     // 0x00
  little_uint16_buf_t sequence_number;     // 0x10
  little_uint16_buf_t link_count;          // 0x12
  little_uint16_buf_t attributes_offset;   // 0x14
  little_uint16_buf_t flags;               // 0x16 0x01 in use, 0x02 directory
  little_uint32_buf_t bytes_in_use;        // 0x18
  little_uint32_buf_t bytes_allocated;     // 0x1C the record size
  little_uint64_buf_t base_record;         // 0x20 reference of the base record, 0 for a base
  little_uint16_buf_t next_attribute_id;   // 0x28
  little_uint16_buf_t reserved;            // 0x2A where the USA starts in NTFS 1.2
  little_uint32_buf_t record_number;       // 0x2C NTFS 3.1
};
static_assert(sizeof(FileRecordHeader) == 48);

struct AttributeHeader {                   // common to resident and nonresident forms
  little_uint32_buf_t type;                // 0x00 0xFFFFFFFF ends the list
  little_uint32_buf_t length;              // 0x04 multiple of 8
  std::uint8_t nonresident;                // 0x08
  std::uint8_t name_length;                // 0x09 UTF-16 units
  little_uint16_buf_t name_offset;         // 0x0A
  little_uint16_buf_t flags;               // 0x0C 0x00FF compressed, 0x4000 encrypted, 0x8000 sparse
  little_uint16_buf_t instance;            // 0x0E attribute id within the record
};
static_assert(sizeof(AttributeHeader) == 16);

struct ResidentHeader {                    // follows AttributeHeader
  little_uint32_buf_t value_length;        // 0x10
  little_uint16_buf_t value_offset;        // 0x14
  std::uint8_t indexed;                    // 0x16
  std::uint8_t reserved;                   // 0x17
};
static_assert(sizeof(ResidentHeader) == 8);

struct NonresidentHeader {                 // follows AttributeHeader
  little_uint64_buf_t lowest_vcn;          // 0x10
  little_uint64_buf_t highest_vcn;         // 0x18
  little_uint16_buf_t mapping_pairs_offset;  // 0x20
  std::uint8_t compression_unit;           // 0x22 log2 of clusters per compression unit
  std::array<std::uint8_t, 5> reserved;    // 0x23
  little_uint64_buf_t allocated_size;      // 0x28 valid in the extent whose lowest VCN is 0
  little_uint64_buf_t data_size;           // 0x30
  little_uint64_buf_t initialized_size;    // 0x38
};
static_assert(sizeof(NonresidentHeader) == 48);

struct AttributeListEntry {                // 26 bytes, then the name; entries 8-aligned
  little_uint32_buf_t type;                // 0x00
  little_uint16_buf_t length;              // 0x04
  std::uint8_t name_length;                // 0x06 UTF-16 units
  std::uint8_t name_offset;                // 0x07
  little_uint64_buf_t lowest_vcn;          // 0x08
  little_uint64_buf_t record;              // 0x10 reference of the record holding the extent
  little_uint16_buf_t instance;            // 0x18
};
static_assert(sizeof(AttributeListEntry) == 26);

struct FileNameValue {                     // $FILE_NAME value, then the name
  little_uint64_buf_t parent;              // 0x00 reference of the parent directory
  little_uint64_buf_t creation_time;       // 0x08 FILETIME
  little_uint64_buf_t modification_time;   // 0x10
  little_uint64_buf_t change_time;         // 0x18
  little_uint64_buf_t access_time;         // 0x20
  little_uint64_buf_t allocated_size;      // 0x28 not kept up to date: use $DATA
  little_uint64_buf_t data_size;           // 0x30 likewise
  little_uint32_buf_t file_attributes;     // 0x38 0x10000000: a directory
  little_uint32_buf_t reparse_value;       // 0x3C
  std::uint8_t name_length;                // 0x40 UTF-16 units
  std::uint8_t name_space;                 // 0x41 0 POSIX, 1 Win32, 2 DOS, 3 Win32+DOS
};
static_assert(sizeof(FileNameValue) == 66);
#pragma pack(pop)

struct VolumeInformationValue {            // $VOLUME_INFORMATION value (record 3, $Volume)
  little_uint64_buf_t reserved;            // 0x00
  std::uint8_t major_version;              // 0x08 3 for NTFS 3.x
  std::uint8_t minor_version;              // 0x09 1 for NTFS 3.1
  little_uint16_buf_t flags;               // 0x0A 0x0001 dirty, ...
};
static_assert(sizeof(VolumeInformationValue) == 12);

inline constexpr std::uint32_t end_marker = 0xFFFFFFFF;

}  // namespace diskimg::ntfs::disk
