/// @file
/// One MFT file record: the fixed header and the attributes it holds, after its update
/// sequence (fixups) has been checked and applied.
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
  in_use = 0x0001,     ///< the record holds a file (else it is free)
  directory = 0x0002,  ///< holds a $I30 index
  extend = 0x0004,     ///< in $Extend ($Quota, $ObjId, $Reparse)
  view_index = 0x0008, ///< holds another view index
};

/// One MFT record as parsed: its header and its attributes, copied out of the record's
/// bytes. A plain value.
struct FileRecord {
  std::uint64_t number = 0;         ///< the record's number in the MFT
  std::uint16_t sequence = 0;       ///< raised each time the record is reused
  std::uint16_t link_count = 0;     ///< hard links, as the record counts them
  Flags<RecordFlag> flags;          ///< in use, directory, ...
  RecordReference base;             ///< zero for a base record; else the record it extends
  std::uint16_t next_attribute_id = 0;  ///< the id the next attribute added would get
  std::vector<Attribute> attributes;    ///< in the order they lie in the record

  /// Whether the record holds a file (else it is free).
  bool in_use() const { return flags.has(RecordFlag::in_use); }
  /// Whether the record holds a $I30 index.
  bool is_directory() const { return flags.has(RecordFlag::directory); }
  /// Whether this is a base record (not a child record extending another).
  bool is_base() const { return base.record == 0 && base.sequence == 0; }
  /// The reference that names this record: its number and sequence.
  RecordReference reference() const { return {number, sequence}; }
};

/// One attribute as it lies in a record, without copying: what scans over every record read.
/// Spans point into the record's bytes and are valid as long as those bytes.
struct AttributeView {
  AttributeType type = AttributeType::data;  ///< the type code
  Flags<AttributeFlag> flags;               ///< compression, encryption, sparseness
  std::uint16_t instance = 0;               ///< attribute id, unique within its record
  bool resident = true;                     ///< the value lies in the record itself
  std::size_t offset = 0;                   ///< in the record
  std::span<const std::byte> name;          ///< UTF-16LE
  std::span<const std::byte> value;         ///< resident form
  std::uint64_t first_vcn = 0;              ///< nonresident form from here on
  std::uint64_t last_vcn = 0;               ///< the last VCN this extent maps
  std::uint64_t allocated_size = 0;         ///< valid in the extent whose first VCN is 0
  std::uint64_t data_size = 0;              ///< valid in the extent whose first VCN is 0
  std::uint64_t initialized_size = 0;       ///< valid in the extent whose first VCN is 0
  std::uint8_t compression_unit = 0;        ///< log2 of clusters per compression unit
  std::span<const std::byte> mapping_pairs; ///< the runlist, not decoded

  /// The stream's size in bytes: the value's length, or the nonresident data size.
  std::uint64_t size() const { return resident ? value.size() : data_size; }
};

/// Checks a record as parse_file_record does, except for its runlists, and fills `record`
/// (without attributes) and `attributes` (cleared first) with views into `bytes`. For
/// scans: nothing is allocated once `attributes` has grown. Applies the fixups in place.
/// Throws FormatError as parse_file_record does; `record` and `attributes` may then hold
/// part of the record.
void view_file_record(std::span<std::byte> bytes, std::uint64_t number, FileRecord& record,
                      std::vector<AttributeView>& attributes,
                      std::optional<std::uint64_t> volume_offset = std::nullopt);

/// Checks and applies an update sequence array in place, for "FILE" and "INDX" records.
/// The stride is the record size divided by the number of protected sectors (512 in practice,
/// also for 4096-byte sectors). Throws FormatError, its message starting with `what`
/// ("update sequence mismatch in sector N"); the sectors before the faulty one are fixed up
/// then.
void apply_fixups(std::span<std::byte> record, const char* what);

/// Parses a record read from the MFT as record `number` (found at `volume_offset` of the
/// volume, when the caller knows); runs must lie inside `total_clusters`. Applies the fixups
/// in place. Throws FormatError naming the record ("ntfs: MFT record N (volume offset X)",
/// where() = {"MFT record N", X}) and the fault; a record whose magic is "BAAD" or anything
/// but "FILE" is an error too.
FileRecord parse_file_record(std::span<std::byte> bytes, std::uint64_t number,
                             std::uint64_t total_clusters,
                             std::optional<std::uint64_t> volume_offset = std::nullopt);

}  // namespace diskimg::ntfs
