// One MFT file record: the fixed header and the attributes it holds, after its update
// sequence (fixups) has been checked and applied.
#pragma once

#include <diskimg/ntfs/attribute.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace diskimg::ntfs {

struct FileRecord {
  std::uint64_t number = 0;
  std::uint16_t sequence = 0;
  std::uint16_t link_count = 0;
  std::uint16_t flags = 0;
  RecordReference base;             // zero for a base record; else the record it extends
  std::uint16_t next_attribute_id = 0;
  std::vector<Attribute> attributes;

  bool in_use() const { return (flags & 0x0001) != 0; }
  bool is_directory() const { return (flags & 0x0002) != 0; }
  bool is_base() const { return base.record == 0 && base.sequence == 0; }
  RecordReference reference() const { return {number, sequence}; }
};

// Checks and applies an update sequence array in place, for "FILE" and "INDX" records.
// The stride is the record size divided by the number of protected sectors (512 in practice,
// also for 4096-byte sectors). Throws FormatError "update sequence mismatch in sector N".
void apply_fixups(std::span<std::byte> record, const char* what);

// Parses a record read from the MFT as record `number`; runs must lie inside
// `total_clusters`. Applies the fixups in place. Throws FormatError that starts with `where`
// (by default "ntfs: MFT record N") and names the fault; a record whose magic is "BAAD" or
// anything but "FILE" is an error too.
FileRecord parse_file_record(std::span<std::byte> bytes, std::uint64_t number,
                             std::uint64_t total_clusters, std::string_view where = {});

}  // namespace diskimg::ntfs
