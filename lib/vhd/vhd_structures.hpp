// On-disk structures of the VHD format. Source: Microsoft "Virtual Hard Disk Image Format
// Specification" v1.0 (2006), "Hard Disk Footer Format" and "Dynamic Disk Header Format";
// libvhdi's documentation. Every field is big-endian.
// Shared by the reader and the writer, which share nothing else.
#pragma once

#include <boost/endian/buffers.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace diskimg::vhd::disk {

using boost::endian::big_uint16_buf_t;
using boost::endian::big_uint32_buf_t;
using boost::endian::big_uint64_buf_t;

struct Footer {                                  // the last 512 bytes; a copy at 0 if dynamic
  std::array<char, 8> cookie;                    // 0x00 "conectix"
  big_uint32_buf_t features;                     // 0x08 0x2 reserved (always set), 0x1 temporary
  big_uint32_buf_t format_version;               // 0x0C 0x00010000
  big_uint64_buf_t data_offset;                  // 0x10 dynamic header offset; all ones if fixed
  big_uint32_buf_t timestamp;                    // 0x18 seconds since 2000-01-01 00:00 UTC
  std::array<char, 4> creator_application;      // 0x1C
  big_uint32_buf_t creator_version;              // 0x20
  big_uint32_buf_t creator_host_os;              // 0x24 "Wi2k", "Mac "
  big_uint64_buf_t original_size;                // 0x28
  big_uint64_buf_t current_size;                 // 0x30 the size the guest sees
  big_uint16_buf_t cylinders;                    // 0x38
  std::uint8_t heads;                            // 0x3A
  std::uint8_t sectors_per_track;                // 0x3B
  big_uint32_buf_t disk_type;                    // 0x3C 2 fixed, 3 dynamic, 4 differencing
  big_uint32_buf_t checksum;                     // 0x40 one's complement of the byte sum
  std::array<std::byte, 16> unique_id;           // 0x44
  std::uint8_t saved_state;                      // 0x54
  // 0x55..0x1FF are reserved (zero). diskimg marks an unfinished merge in their first 24
  // bytes, and clears them when the merge ends; other readers ignore them.
  std::array<char, 8> merge_tag;                 // 0x55 "dimg-mrg" while a merge writes here
  std::array<std::byte, 16> merge_child;         // 0x5D the merged child's unique ID
  std::array<std::uint8_t, 403> reserved;        // 0x6D
};
static_assert(sizeof(Footer) == 512);
inline constexpr std::array<char, 8> merge_tag = {'d', 'i', 'm', 'g', '-', 'm', 'r', 'g'};

struct ParentLocator {                           // 24 bytes
  big_uint32_buf_t platform_code;                // 0x00 "W2ru", "W2ku", "MacX", 0 unused
  big_uint32_buf_t data_space;                   // 0x04 reserved bytes (Hyper-V; the spec says sectors)
  big_uint32_buf_t data_length;                  // 0x08 bytes of locator data
  big_uint32_buf_t reserved;                     // 0x0C
  big_uint64_buf_t data_offset;                  // 0x10 absolute file offset
};
static_assert(sizeof(ParentLocator) == 24);

struct DynamicHeader {                           // 1024 bytes at the footer's data offset
  std::array<char, 8> cookie;                    // 0x000 "cxsparse"
  big_uint64_buf_t data_offset;                  // 0x008 all ones
  big_uint64_buf_t table_offset;                 // 0x010 the BAT
  big_uint32_buf_t header_version;               // 0x018 0x00010000
  big_uint32_buf_t max_table_entries;            // 0x01C
  big_uint32_buf_t block_size;                   // 0x020 a power of two, 2 MiB by default
  big_uint32_buf_t checksum;                     // 0x024
  std::array<std::byte, 16> parent_unique_id;    // 0x028
  big_uint32_buf_t parent_timestamp;             // 0x038 the parent file's modification time
  big_uint32_buf_t reserved1;                    // 0x03C
  std::array<big_uint16_buf_t, 256> parent_name; // 0x040 UTF-16BE
  std::array<ParentLocator, 8> parent_locators;  // 0x240
  std::array<std::uint8_t, 256> reserved2;       // 0x300
};
static_assert(sizeof(DynamicHeader) == 1024);

inline constexpr std::uint32_t type_fixed = 2;
inline constexpr std::uint32_t type_dynamic = 3;
inline constexpr std::uint32_t type_differencing = 4;
inline constexpr std::uint32_t unallocated = 0xFFFFFFFF;

inline constexpr std::uint32_t fourcc(const char (&text)[5]) {
  return (std::uint32_t(std::uint8_t(text[0])) << 24) | (std::uint32_t(std::uint8_t(text[1])) << 16) |
         (std::uint32_t(std::uint8_t(text[2])) << 8) | std::uint32_t(std::uint8_t(text[3]));
}
inline constexpr std::uint32_t locator_w2ru = fourcc("W2ru");  // relative Windows path, UTF-16LE
inline constexpr std::uint32_t locator_w2ku = fourcc("W2ku");  // absolute Windows path, UTF-16LE
inline constexpr std::uint32_t locator_macx = fourcc("MacX");  // file URL, UTF-8

// One's complement of the byte sum of a structure whose checksum field reads as zero.
inline std::uint32_t checksum_of(std::span<const std::byte> bytes, std::size_t checksum_offset) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i >= checksum_offset && i < checksum_offset + 4) continue;
    sum += std::to_integer<std::uint32_t>(bytes[i]);
  }
  return ~sum;
}

inline constexpr std::size_t footer_checksum_offset = 0x40;
inline constexpr std::size_t header_checksum_offset = 0x24;

}  // namespace diskimg::vhd::disk
