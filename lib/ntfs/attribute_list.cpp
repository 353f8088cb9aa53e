#include "core/load.hpp"
#include "core/utf.hpp"
#include "ntfs/record_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/attribute_list.hpp>

#include <fmt/format.h>

namespace diskimg::ntfs {

std::vector<AttributeListEntry> parse_attribute_list(std::span<const std::byte> bytes) {
  std::vector<AttributeListEntry> entries;
  std::size_t offset = 0;
  // A list may end in padding shorter than an entry header.
  while (bytes.size() - offset >= sizeof(disk::AttributeListEntry)) {
    const auto raw = load<disk::AttributeListEntry>(bytes, offset, "attribute list entry");
    const std::size_t length = raw.length.value();
    if (length < sizeof(disk::AttributeListEntry) || length > bytes.size() - offset) {
      throw FormatError(fmt::format("attribute list entry at offset {} has length {} ({} bytes "
                                    "left)", offset, length, bytes.size() - offset), Location{"attribute list entry", offset});
    }
    AttributeListEntry entry;
    entry.type = static_cast<AttributeType>(raw.type.value());
    entry.first_vcn = raw.lowest_vcn.value();
    entry.record = RecordReference::from_u64(raw.record.value());
    entry.instance = raw.instance.value();
    const std::size_t name_offset = raw.name_offset;
    const std::size_t name_units = raw.name_length;
    if (name_units != 0) {
      if (name_offset > length || (length - name_offset) / 2 < name_units) {
        throw FormatError(fmt::format("attribute list entry at offset {}: name runs past the "
                                      "entry", offset), Location{"attribute list entry", offset});
      }
      entry.name_utf16 = utf16le_units(bytes.subspan(offset + name_offset, 2 * name_units));
      entry.name = utf16_to_utf8(entry.name_utf16);
    }
    entries.push_back(std::move(entry));
    offset += length;
  }
  return entries;
}

}  // namespace diskimg::ntfs
