/// @file
/// $ATTRIBUTE_LIST: where each attribute (extent) of a file lies when one record is not
/// enough for them all (stages three and four of file growth).
#pragma once

#include <diskimg/ntfs/attribute.hpp>

#include <cstddef>
#include <span>
#include <vector>

namespace diskimg::ntfs {

/// One entry of an $ATTRIBUTE_LIST: an attribute extent and the record holding it.
struct AttributeListEntry {
  AttributeType type = AttributeType::data;  ///< the extent's attribute type
  std::string name;              ///< UTF-8; empty for an unnamed attribute
  std::u16string name_utf16;     ///< as stored
  std::uint64_t first_vcn = 0;   ///< the first VCN the extent maps
  RecordReference record;        ///< the record holding this extent
  std::uint16_t instance = 0;    ///< its attribute id in that record
};

/// Parses a list's bytes. Throws FormatError on entries of length 0, entries that run past
/// the end, names outside their entry.
std::vector<AttributeListEntry> parse_attribute_list(std::span<const std::byte> bytes);

}  // namespace diskimg::ntfs
