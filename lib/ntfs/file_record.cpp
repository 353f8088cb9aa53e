#include "core/checksums.hpp"
#include "core/load.hpp"
#include "core/utf.hpp"
#include "ntfs/record_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/file_record.hpp>

#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

std::uint16_t u16_at(std::span<const std::byte> bytes, std::size_t offset) {
  return static_cast<std::uint16_t>(std::to_integer<unsigned>(bytes[offset]) |
                                    (std::to_integer<unsigned>(bytes[offset + 1]) << 8));
}

// Which record is being parsed, for its faults. Messages are built only when something is
// wrong: scans parse millions of records.
struct RecordPlace {
  std::uint64_t number = 0;
  std::optional<std::uint64_t> volume_offset;

  FormatError fault(std::string_view detail) const {
    Location where{fmt::format("MFT record {}", number), volume_offset};
    const std::string name = volume_offset
        ? fmt::format("ntfs: {} (volume offset {:#x})", where.structure, *volume_offset)
        : "ntfs: " + where.structure;
    return FormatError(fmt::format("{}{}{}", name, detail.starts_with(":") ? "" : ": ", detail),
                       std::move(where));
  }
};

FormatError attribute_fault(const AttributeView& view, std::string_view what) {
  return FormatError(fmt::format("attribute {} at record offset {:#x}: {}",
                                 attribute_type_name(view.type), view.offset, what));
}

// Checks one attribute record of `length` bytes (already inside the record) and describes it.
AttributeView view_attribute(std::span<const std::byte> record, std::size_t offset,
                             std::uint32_t length) {
  const auto bytes = record.subspan(offset, length);
  const auto header = load<disk::AttributeHeader>(bytes, 0, "attribute header");
  AttributeView view;
  view.type = static_cast<AttributeType>(header.type.value());
  view.flags = Flags<AttributeFlag>(header.flags.value());
  view.instance = header.instance.value();
  view.resident = header.nonresident == 0;
  view.offset = offset;
  const std::size_t name_offset = header.name_offset.value();
  const std::size_t name_units = header.name_length;
  if (name_units != 0) {
    if (name_offset > length || (length - name_offset) / 2 < name_units) {
      throw attribute_fault(view, "name runs past the attribute");
    }
    view.name = bytes.subspan(name_offset, 2 * name_units);
  }
  if (view.resident) {
    if (length < sizeof(disk::AttributeHeader) + sizeof(disk::ResidentHeader)) {
      throw attribute_fault(view, "too short for a resident attribute");
    }
    const auto resident = load<disk::ResidentHeader>(bytes, sizeof(disk::AttributeHeader), "resident header");
    const std::size_t value_offset = resident.value_offset.value();
    const std::size_t value_length = resident.value_length.value();
    if (value_offset > length || value_length > length - value_offset) {
      throw attribute_fault(view, fmt::format("value of {} bytes at {} runs past the attribute "
                                              "({} bytes)", value_length, value_offset, length));
    }
    view.value = bytes.subspan(value_offset, value_length);
    return view;
  }
  if (length < sizeof(disk::AttributeHeader) + sizeof(disk::NonresidentHeader)) {
    throw attribute_fault(view, "too short for a nonresident attribute");
  }
  const auto nonresident = load<disk::NonresidentHeader>(bytes, sizeof(disk::AttributeHeader), "nonresident header");
  view.first_vcn = nonresident.lowest_vcn.value();
  view.last_vcn = nonresident.highest_vcn.value();
  view.allocated_size = nonresident.allocated_size.value();
  view.data_size = nonresident.data_size.value();
  view.initialized_size = nonresident.initialized_size.value();
  view.compression_unit = nonresident.compression_unit;
  // An empty nonresident attribute has highest VCN -1.
  const bool empty = view.last_vcn == ~std::uint64_t{0} && view.first_vcn == 0;
  if (!empty && view.last_vcn < view.first_vcn) {
    throw attribute_fault(view, fmt::format("highest VCN {} is below lowest VCN {}",
                                            view.last_vcn, view.first_vcn));
  }
  const std::size_t pairs_offset = nonresident.mapping_pairs_offset.value();
  if (pairs_offset > length) throw attribute_fault(view, "mapping pairs start past the attribute");
  view.mapping_pairs = bytes.subspan(pairs_offset);
  return view;
}

// The full form of a view: the name decoded, the value copied, the runs decoded and checked.
Attribute make_attribute(const AttributeView& view, std::uint64_t number,
                         std::uint64_t total_clusters) {
  Attribute attribute;
  attribute.type = view.type;
  attribute.flags = view.flags;
  attribute.instance = view.instance;
  attribute.record = number;
  attribute.resident = view.resident;
  if (!view.name.empty()) {
    attribute.name_utf16 = utf16le_units(view.name);
    attribute.name = utf16_to_utf8(attribute.name_utf16);
  }
  if (view.resident) {
    attribute.value.assign(view.value.begin(), view.value.end());
    return attribute;
  }
  attribute.first_vcn = view.first_vcn;
  attribute.last_vcn = view.last_vcn;
  attribute.allocated_size = view.allocated_size;
  attribute.data_size = view.data_size;
  attribute.initialized_size = view.initialized_size;
  attribute.compression_unit = view.compression_unit;
  try {
    attribute.runs = decode_runlist(view.mapping_pairs, view.first_vcn, total_clusters);
  } catch (const FormatError& error) {
    throw attribute_fault(view, error.what());
  }
  const bool empty = view.last_vcn == ~std::uint64_t{0} && view.first_vcn == 0;
  const std::uint64_t mapped_end =
      attribute.runs.empty() ? view.first_vcn
                             : attribute.runs.back().vcn + attribute.runs.back().length;
  if (!empty && mapped_end != view.last_vcn + 1) {
    throw attribute_fault(view, fmt::format("runs end at VCN {}, the header says {}",
                                            mapped_end, view.last_vcn + 1));
  }
  return attribute;
}

// Checks the header and every attribute's bounds; calls `visit` for each attribute.
template <class Visit>
void walk_record(std::span<std::byte> bytes, const RecordPlace& place, FileRecord& record,
                 Visit&& visit) {
  if (bytes.size() < sizeof(disk::FileRecordHeader)) throw place.fault("shorter than a record header");
  const std::string_view magic(reinterpret_cast<const char*>(bytes.data()), 4);
  if (magic == "BAAD") throw place.fault("marked BAAD (a failed multi-sector write)");
  if (magic != "FILE") throw place.fault("no FILE signature");
  try {
    apply_fixups(bytes, "");
  } catch (const FormatError& error) {
    throw place.fault(error.what());
  }
  const auto header = load<disk::FileRecordHeader>(bytes, 0, "FILE record header");
  record.number = place.number;
  record.sequence = header.sequence_number.value();
  record.link_count = header.link_count.value();
  record.flags = Flags<RecordFlag>(header.flags.value());
  record.base = RecordReference::from_u64(header.base_record.value());
  record.next_attribute_id = header.next_attribute_id.value();

  const std::size_t in_use = header.bytes_in_use.value();
  if (in_use > bytes.size() || in_use < sizeof(disk::FileRecordHeader) - 6) {
    throw place.fault(fmt::format("{} bytes in use of a {}-byte record", in_use, bytes.size()));
  }
  std::size_t offset = header.attributes_offset.value();
  if (offset % 8 != 0 || offset >= in_use) {
    throw place.fault(fmt::format("attributes offset {} is misaligned or past the {} bytes in use",
                                  offset, in_use));
  }
  const auto used = std::span<const std::byte>(bytes).first(in_use);
  while (true) {
    if (in_use - offset < 4) {
      throw place.fault("attribute list has no end marker");
    }
    const std::uint32_t type = load<boost::endian::little_uint32_buf_t>(used, offset, "attribute type").value();
    if (type == disk::end_marker) break;
    if (in_use - offset < sizeof(disk::AttributeHeader)) {
      throw place.fault(fmt::format("attribute at offset {:#x} runs past the bytes in use", offset));
    }
    const std::uint32_t length = load<boost::endian::little_uint32_buf_t>(used, offset + 4, "attribute length").value();
    if (length < sizeof(disk::AttributeHeader) || length % 8 != 0 || length > in_use - offset) {
      throw place.fault(fmt::format("attribute at offset {:#x} has length {} ({} bytes left)",
                                    offset, length, in_use - offset));
    }
    try {
      visit(view_attribute(used, offset, length));
    } catch (const FormatError& error) {
      throw place.fault(error.what());
    }
    offset += length;
  }
}

}  // namespace

void apply_fixups(std::span<std::byte> record, const char* what) {
  const auto header = load<disk::RecordHeader>(record, 0, "multi-sector header");
  const std::size_t usa_offset = header.usa_offset.value();
  const std::size_t usa_count = header.usa_count.value();
  if (usa_count < 2 || record.size() % (usa_count - 1) != 0) {
    throw FormatError(fmt::format("{}: update sequence count {} does not divide the {}-byte "
                                  "record", what, usa_count, record.size()));
  }
  const std::size_t stride = record.size() / (usa_count - 1);
  if (stride != 512 && stride != 4096) {
    throw FormatError(fmt::format("{}: update sequence stride {} is neither 512 nor 4096",
                                  what, stride));
  }
  if (usa_offset % 2 != 0 || usa_offset < sizeof(disk::RecordHeader) ||
      usa_offset + 2 * usa_count > stride - 2) {
    throw FormatError(fmt::format("{}: update sequence array at offset {} ({} entries) is "
                                  "misplaced", what, usa_offset, usa_count));
  }
  const std::uint16_t sequence = u16_at(record, usa_offset);
  for (std::size_t sector = 0; sector + 1 < usa_count; ++sector) {
    const std::size_t end = (sector + 1) * stride - 2;
    // A torn write leaves a sector whose last two bytes differ; with advisory checksums
    // (fuzzing builds, core/checksums.hpp) the record is read as if it matched.
    if (u16_at(record, end) != sequence && !checksums_are_advisory()) {
      throw FormatError(fmt::format("{}: update sequence mismatch in sector {}", what, sector));
    }
    std::memcpy(record.data() + end, record.data() + usa_offset + 2 * (sector + 1), 2);
  }
}

FileRecord parse_file_record(std::span<std::byte> bytes, std::uint64_t number,
                             std::uint64_t total_clusters, std::optional<std::uint64_t> volume_offset) {
  FileRecord record;
  walk_record(bytes, RecordPlace{number, volume_offset}, record, [&](const AttributeView& view) {
    record.attributes.push_back(make_attribute(view, number, total_clusters));
  });
  return record;
}

void view_file_record(std::span<std::byte> bytes, std::uint64_t number, FileRecord& record,
                      std::vector<AttributeView>& attributes, std::optional<std::uint64_t> volume_offset) {
  attributes.clear();
  record.attributes.clear();
  walk_record(bytes, RecordPlace{number, volume_offset}, record,
              [&](const AttributeView& view) { attributes.push_back(view); });
}

}  // namespace diskimg::ntfs
