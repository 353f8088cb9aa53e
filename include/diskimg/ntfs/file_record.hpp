// One MFT file record: the fixed header and the attributes it holds, after its update
// sequence (fixups) has been checked and applied.
#pragma once

#include <diskimg/ntfs/attribute.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace diskimg::ntfs {

/// Bits of a file record's flags (offset 0x16 of its header).
enum class RecordFlag : std::uint16_t {
  in_use = 0x0001,
  directory = 0x0002,  ///< holds a $I30 index
  extend = 0x0004,     ///< in $Extend ($Quota, $ObjId, $Reparse)
  view_index = 0x0008, ///< holds another view index
};

struct FileRecord {
  std::uint64_t number = 0;
  std::uint16_t sequence = 0;
  std::uint16_t link_count = 0;
  Flags<RecordFlag> flags;
  RecordReference base;             // zero for a base record; else the record it extends
  std::uint16_t next_attribute_id = 0;
  std::vector<Attribute> attributes;

  bool in_use() const { return flags.has(RecordFlag::in_use); }
  bool is_directory() const { return flags.has(RecordFlag::directory); }
  bool is_base() const { return base.record == 0 && base.sequence == 0; }
  RecordReference reference() const { return {number, sequence}; }
};

// One attribute as it lies in a record, without copying: what scans over every record read.
// Spans point into the record's bytes.
struct AttributeView {
  AttributeType type = AttributeType::data;
  Flags<AttributeFlag> flags;
  std::uint16_t instance = 0;
  bool resident = true;
  std::size_t offset = 0;                   // in the record
  std::span<const std::byte> name;          // UTF-16LE
  std::span<const std::byte> value;         // resident form
  std::uint64_t first_vcn = 0;              // nonresident form from here on
  std::uint64_t last_vcn = 0;
  std::uint64_t allocated_size = 0;
  std::uint64_t data_size = 0;
  std::uint64_t initialized_size = 0;
  std::uint8_t compression_unit = 0;
  std::span<const std::byte> mapping_pairs;

  std::uint64_t size() const { return resident ? value.size() : data_size; }
};

// Checks a record as parse_file_record does, except for its runlists, and fills `record`
// (without attributes) and `attributes` (cleared first) with views into `bytes`. For
// scans: nothing is allocated once `attributes` has grown. Applies the fixups in place.
void view_file_record(std::span<std::byte> bytes, std::uint64_t number, FileRecord& record,
                      std::vector<AttributeView>& attributes,
                      std::optional<std::uint64_t> volume_offset = std::nullopt);

// Checks and applies an update sequence array in place, for "FILE" and "INDX" records.
// The stride is the record size divided by the number of protected sectors (512 in practice,
// also for 4096-byte sectors). Throws FormatError "update sequence mismatch in sector N".
void apply_fixups(std::span<std::byte> record, const char* what);

// Parses a record read from the MFT as record `number` (found at `volume_offset` of the
// volume, when the caller knows); runs must lie inside `total_clusters`. Applies the fixups
// in place. Throws FormatError naming the record ("ntfs: MFT record N (volume offset X)",
// where() = {"MFT record N", X}) and the fault; a record whose magic is "BAAD" or anything
// but "FILE" is an error too.
FileRecord parse_file_record(std::span<std::byte> bytes, std::uint64_t number,
                             std::uint64_t total_clusters,
                             std::optional<std::uint64_t> volume_offset = std::nullopt);

}  // namespace diskimg::ntfs
