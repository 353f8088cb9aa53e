// Attributes: what an MFT record holds. One attribute may be split into extents spread
// over several records; each Attribute here is one extent as it lies in one record.
#pragma once

#include <diskimg/ntfs/runlist.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace diskimg::ntfs {

namespace attribute_type {
inline constexpr std::uint32_t standard_information = 0x10;
inline constexpr std::uint32_t attribute_list = 0x20;
inline constexpr std::uint32_t file_name = 0x30;
inline constexpr std::uint32_t object_id = 0x40;
inline constexpr std::uint32_t security_descriptor = 0x50;
inline constexpr std::uint32_t volume_name = 0x60;
inline constexpr std::uint32_t volume_information = 0x70;
inline constexpr std::uint32_t data = 0x80;
inline constexpr std::uint32_t index_root = 0x90;
inline constexpr std::uint32_t index_allocation = 0xA0;
inline constexpr std::uint32_t bitmap = 0xB0;
inline constexpr std::uint32_t reparse_point = 0xC0;
inline constexpr std::uint32_t ea_information = 0xD0;
inline constexpr std::uint32_t ea = 0xE0;
inline constexpr std::uint32_t logged_utility_stream = 0x100;
}  // namespace attribute_type

// "$DATA", "$FILE_NAME", ... or "0x1234" for types outside the standard set.
std::string attribute_type_name(std::uint32_t type);

// A reference to an MFT record: its number (48 bits) and the sequence number it must have.
struct RecordReference {
  std::uint64_t record = 0;
  std::uint16_t sequence = 0;
  static RecordReference from_u64(std::uint64_t value) {
    return {value & 0xFFFFFFFFFFFFULL, static_cast<std::uint16_t>(value >> 48)};
  }
  bool operator==(const RecordReference&) const = default;
};

struct Attribute {
  std::uint32_t type = 0;
  std::string name;               // UTF-8; empty for the unnamed stream
  std::u16string name_utf16;      // as stored, for collation
  std::uint16_t flags = 0;
  std::uint16_t instance = 0;     // attribute id, unique within its record
  std::uint64_t record = 0;       // the MFT record this extent lies in
  bool resident = true;

  // Resident form.
  std::vector<std::byte> value;

  // Nonresident form. The sizes are valid only in the extent whose first VCN is 0.
  std::uint64_t first_vcn = 0;
  std::uint64_t last_vcn = 0;
  std::uint64_t allocated_size = 0;
  std::uint64_t data_size = 0;
  std::uint64_t initialized_size = 0;
  std::uint8_t compression_unit = 0;  // log2 of clusters per compression unit
  Runlist runs;

  bool compressed() const { return (flags & 0x00FF) != 0; }
  bool encrypted() const { return (flags & 0x4000) != 0; }
  bool sparse() const { return (flags & 0x8000) != 0; }
  // The stream's size in bytes: the value's length, or the nonresident data size.
  std::uint64_t size() const { return resident ? value.size() : data_size; }
};

}  // namespace diskimg::ntfs
