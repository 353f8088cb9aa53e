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
    const auto raw = load<disk::AttributeListEntry>(bytes, offset);
    const std::size_t length = raw.length.value();
    if (length < sizeof(disk::AttributeListEntry) || length > bytes.size() - offset) {
      throw FormatError(fmt::format("attribute list entry at offset {} has length {} ({} bytes "
                                    "left)", offset, length, bytes.size() - offset), Location{"attribute list entry", offset});
    }
    AttributeListEntry entry;
    entry.type = raw.type.value();
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
      std::vector<std::uint16_t> units(name_units);
      for (std::size_t i = 0; i < name_units; ++i) {
        units[i] = load<boost::endian::little_uint16_buf_t>(bytes, offset + name_offset + 2 * i)
                       .value();
      }
      entry.name_utf16.assign(units.begin(), units.end());
      entry.name = utf16_to_utf8(units);
    }
    entries.push_back(std::move(entry));
    offset += length;
  }
  return entries;
}

}  // namespace diskimg::ntfs
