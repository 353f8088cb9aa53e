/// @file
/// Attributes: what an MFT record holds. One attribute may be split into extents spread
/// over several records; each Attribute here is one extent as it lies in one record.
#pragma once

#include <diskimg/core/flags.hpp>
#include <diskimg/ntfs/runlist.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace diskimg::ntfs {

/// An attribute's type code, as the record stores it. The enumerators are the types NTFS 3.1
/// defines ($AttrDef); a record may hold any other number, which keeps its value.
enum class AttributeType : std::uint32_t {
  standard_information = 0x10,    ///< $STANDARD_INFORMATION: times, file attributes
  attribute_list = 0x20,          ///< $ATTRIBUTE_LIST: where the extents of a large file lie
  file_name = 0x30,               ///< $FILE_NAME: a name in one directory
  object_id = 0x40,               ///< $OBJECT_ID
  security_descriptor = 0x50,     ///< $SECURITY_DESCRIPTOR
  volume_name = 0x60,             ///< $VOLUME_NAME: the label ($Volume only)
  volume_information = 0x70,      ///< $VOLUME_INFORMATION: the NTFS version ($Volume only)
  data = 0x80,                    ///< $DATA: a file's contents, unnamed or a named stream
  index_root = 0x90,              ///< $INDEX_ROOT: the root node of an index ($I30)
  index_allocation = 0xA0,        ///< $INDEX_ALLOCATION: the INDX blocks of an index
  bitmap = 0xB0,                  ///< $BITMAP: which INDX blocks are in use
  reparse_point = 0xC0,           ///< $REPARSE_POINT
  ea_information = 0xD0,          ///< $EA_INFORMATION
  ea = 0xE0,                      ///< $EA: extended attributes
  logged_utility_stream = 0x100,  ///< $LOGGED_UTILITY_STREAM (EFS keys among others)
};

/// "$DATA", "$FILE_NAME", ... or the number in hexadecimal ("0x1234") for types outside
/// the standard set.
std::string attribute_type_name(AttributeType type);

/// The type code as a number, as the record stores it.
constexpr std::uint32_t type_code(AttributeType type) { return static_cast<std::uint32_t>(type); }

/// Bits of an attribute record's flags (offset 0x0C of its header).
enum class AttributeFlag : std::uint16_t {
  compression_mask = 0x00FF,  ///< any compression method (LZNT1 is 0x0001)
  encrypted = 0x4000,         ///< EFS-encrypted: the clusters hold ciphertext
  sparse = 0x8000,            ///< runs without clusters read as zeros
};

/// A reference to an MFT record: its number (48 bits) and the sequence number it must have.
struct RecordReference {
  std::uint64_t record = 0;       ///< the record number
  std::uint16_t sequence = 0;     ///< the sequence number the record must carry
  /// From the 64-bit form on disk: the number in the low 48 bits, the sequence above.
  static RecordReference from_u64(std::uint64_t value) {
    return {value & 0xFFFFFFFFFFFFULL, static_cast<std::uint16_t>(value >> 48)};
  }
  /// Equal when both the number and the sequence are.
  bool operator==(const RecordReference&) const = default;
};

/// One attribute extent as it lies in one record, copied out of it: a plain value, checked
/// when the record was parsed.
struct Attribute {
  AttributeType type = AttributeType::data;  ///< the type code
  std::string name;               ///< UTF-8; empty for the unnamed stream
  std::u16string name_utf16;      ///< as stored, for collation
  Flags<AttributeFlag> flags;     ///< compression, encryption, sparseness
  std::uint16_t instance = 0;     ///< attribute id, unique within its record
  std::uint64_t record = 0;       ///< the MFT record this extent lies in
  bool resident = true;           ///< the value lies in the record itself

  /// Resident form: the value.
  std::vector<std::byte> value;

  /// Nonresident form: the first VCN this extent maps. The sizes below are valid only in
  /// the extent whose first VCN is 0.
  std::uint64_t first_vcn = 0;
  std::uint64_t last_vcn = 0;          ///< the last VCN this extent maps
  std::uint64_t allocated_size = 0;    ///< bytes of clusters allocated to the attribute
  std::uint64_t data_size = 0;         ///< the attribute's size in bytes
  std::uint64_t initialized_size = 0;  ///< bytes written; the rest reads as zeros
  std::uint8_t compression_unit = 0;   ///< log2 of clusters per compression unit
  Runlist runs;                        ///< where this extent's clusters lie

  /// Whether any compression method is set (LZNT1 in practice).
  bool compressed() const { return flags.has(AttributeFlag::compression_mask); }
  /// Whether the attribute is EFS-encrypted.
  bool encrypted() const { return flags.has(AttributeFlag::encrypted); }
  /// Whether the attribute is sparse.
  bool sparse() const { return flags.has(AttributeFlag::sparse); }
  /// The stream's size in bytes: the value's length, or the nonresident data size.
  std::uint64_t size() const { return resident ? value.size() : data_size; }
  /// Bytes allocated: a resident value's length, or what the clusters hold.
  std::uint64_t allocated() const { return resident ? value.size() : allocated_size; }
  /// Bytes written so far: a resident value's length, or the initialized size.
  std::uint64_t initialized() const { return resident ? value.size() : initialized_size; }
  /// The last VCN as NTFS counts it: -1 for an empty nonresident attribute (and 0 for a
  /// resident one, which has no clusters).
  std::int64_t signed_last_vcn() const { return resident ? 0 : static_cast<std::int64_t>(last_vcn); }
  /// "compressed", "sparse", "encrypted": the flags set, in that order.
  std::vector<std::string_view> flag_names() const;
};

}  // namespace diskimg::ntfs
