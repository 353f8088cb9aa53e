// On-disk structures of the GUID partition table. Source: UEFI Specification 2.10,
// section 5.3 (GPT disk layout), tables 5-5 and 5-6. All fields little-endian.
#pragma once

#include <boost/endian/buffers.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace diskimg::gpt {

using boost::endian::little_uint16_buf_t;
using boost::endian::little_uint32_buf_t;
using boost::endian::little_uint64_buf_t;

struct Header {                            // 92 bytes at the start of LBA 1 and the last LBA
  std::array<char, 8> signature;           // 0x00 "EFI PART"
  little_uint32_buf_t revision;            // 0x08 0x00010000
  little_uint32_buf_t header_size;         // 0x0C 92 .. sector size
  little_uint32_buf_t header_crc32;        // 0x10 over header_size bytes, this field zero
  little_uint32_buf_t reserved;            // 0x14
  little_uint64_buf_t my_lba;              // 0x18 where this header lies
  little_uint64_buf_t alternate_lba;       // 0x20 where the other header lies
  little_uint64_buf_t first_usable_lba;    // 0x28
  little_uint64_buf_t last_usable_lba;     // 0x30
  std::array<std::byte, 16> disk_guid;     // 0x38 mixed-endian
  little_uint64_buf_t entries_lba;         // 0x48 first LBA of the entry array
  little_uint32_buf_t entry_count;         // 0x50
  little_uint32_buf_t entry_size;          // 0x54 128 x 2^n
  little_uint32_buf_t entries_crc32;       // 0x58 over entry_count x entry_size bytes
};
static_assert(sizeof(Header) == 92);

struct Entry {                             // the first 128 bytes of each entry
  std::array<std::byte, 16> type_guid;     // 0x00 all zero = unused slot
  std::array<std::byte, 16> unique_guid;   // 0x10
  little_uint64_buf_t first_lba;           // 0x20
  little_uint64_buf_t last_lba;            // 0x28 inclusive
  little_uint64_buf_t attributes;          // 0x30
  std::array<little_uint16_buf_t, 36> name;  // 0x38 UTF-16LE, NUL-padded
};
static_assert(sizeof(Entry) == 128);

inline constexpr std::array<char, 8> signature = {'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'};

}  // namespace diskimg::gpt
