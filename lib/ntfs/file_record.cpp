#include "core/load.hpp"
#include "core/utf.hpp"
#include "ntfs/record_structures.hpp"

#include <diskimg/error.hpp>
#include <diskimg/ntfs/file_record.hpp>

#include <cstring>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

std::uint16_t u16_at(std::span<const std::byte> bytes, std::size_t offset) {
  return static_cast<std::uint16_t>(std::to_integer<unsigned>(bytes[offset]) |
                                    (std::to_integer<unsigned>(bytes[offset + 1]) << 8));
}

// Names are UTF-16LE in the record; they need not be aligned.
std::u16string read_name(std::span<const std::byte> bytes, std::size_t offset,
                         std::size_t units) {
  std::u16string name(units, u'\0');
  for (std::size_t i = 0; i < units; ++i) name[i] = static_cast<char16_t>(u16_at(bytes, offset + 2 * i));
  return name;
}

std::string to_utf8(const std::u16string& name) {
  return utf16_to_utf8(std::span(reinterpret_cast<const std::uint16_t*>(name.data()), name.size()));
}

// An attribute record in `record` at `offset`, `length` bytes already checked to fit.
Attribute parse_attribute(std::span<const std::byte> record, std::size_t offset,
                          std::uint32_t length, std::uint64_t number,
                          std::uint64_t total_clusters) {
  const auto bytes = record.subspan(offset, length);
  const auto header = load<disk::AttributeHeader>(bytes);
  Attribute attribute;
  attribute.type = header.type.value();
  attribute.flags = header.flags.value();
  attribute.instance = header.instance.value();
  attribute.record = number;
  attribute.resident = header.nonresident == 0;
  const auto fault = [&](std::string_view what) {
    return FormatError(fmt::format("attribute {} at record offset {:#x}: {}",
                                   attribute_type_name(attribute.type), offset, what));
  };
  const std::size_t name_offset = header.name_offset.value();
  const std::size_t name_units = header.name_length;
  if (name_units != 0) {
    if (name_offset > length || (length - name_offset) / 2 < name_units) {
      throw fault("name runs past the attribute");
    }
    attribute.name_utf16 = read_name(bytes, name_offset, name_units);
    attribute.name = to_utf8(attribute.name_utf16);
  }
  if (attribute.resident) {
    if (length < sizeof(disk::AttributeHeader) + sizeof(disk::ResidentHeader)) {
      throw fault("too short for a resident attribute");
    }
    const auto resident = load<disk::ResidentHeader>(bytes, sizeof(disk::AttributeHeader));
    const std::size_t value_offset = resident.value_offset.value();
    const std::size_t value_length = resident.value_length.value();
    if (value_offset > length || value_length > length - value_offset) {
      throw fault(fmt::format("value of {} bytes at {} runs past the attribute ({} bytes)",
                              value_length, value_offset, length));
    }
    attribute.value.assign(bytes.begin() + value_offset,
                           bytes.begin() + value_offset + value_length);
    return attribute;
  }
  if (length < sizeof(disk::AttributeHeader) + sizeof(disk::NonresidentHeader)) {
    throw fault("too short for a nonresident attribute");
  }
  const auto nonresident = load<disk::NonresidentHeader>(bytes, sizeof(disk::AttributeHeader));
  attribute.first_vcn = nonresident.lowest_vcn.value();
  attribute.last_vcn = nonresident.highest_vcn.value();
  attribute.allocated_size = nonresident.allocated_size.value();
  attribute.data_size = nonresident.data_size.value();
  attribute.initialized_size = nonresident.initialized_size.value();
  attribute.compression_unit = nonresident.compression_unit;
  // An empty nonresident attribute has highest VCN -1.
  const bool empty = attribute.last_vcn == ~std::uint64_t{0} && attribute.first_vcn == 0;
  if (!empty && attribute.last_vcn < attribute.first_vcn) {
    throw fault(fmt::format("highest VCN {} is below lowest VCN {}", attribute.last_vcn,
                            attribute.first_vcn));
  }
  const std::size_t pairs_offset = nonresident.mapping_pairs_offset.value();
  if (pairs_offset > length) throw fault("mapping pairs start past the attribute");
  try {
    attribute.runs = decode_runlist(bytes.subspan(pairs_offset), attribute.first_vcn,
                                    total_clusters);
  } catch (const FormatError& error) {
    throw fault(error.what());
  }
  const std::uint64_t mapped_end =
      attribute.runs.empty() ? attribute.first_vcn
                             : attribute.runs.back().vcn + attribute.runs.back().length;
  if (!empty && mapped_end != attribute.last_vcn + 1) {
    throw fault(fmt::format("runs end at VCN {}, the header says {}", mapped_end,
                            attribute.last_vcn + 1));
  }
  return attribute;
}

}  // namespace

void apply_fixups(std::span<std::byte> record, const char* what) {
  const auto header = load<disk::RecordHeader>(record);
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
    if (u16_at(record, end) != sequence) {
      throw FormatError(fmt::format("{}: update sequence mismatch in sector {}", what, sector));
    }
    std::memcpy(record.data() + end, record.data() + usa_offset + 2 * (sector + 1), 2);
  }
}

FileRecord parse_file_record(std::span<std::byte> bytes, std::uint64_t number,
                             std::uint64_t total_clusters, std::string_view where) {
  const std::string what =
      where.empty() ? fmt::format("ntfs: MFT record {}", number) : std::string(where);
  if (bytes.size() < sizeof(disk::FileRecordHeader)) {
    throw FormatError(what + ": shorter than a record header");
  }
  const std::string_view magic(reinterpret_cast<const char*>(bytes.data()), 4);
  if (magic == "BAAD") throw FormatError(what + ": marked BAAD (a failed multi-sector write)");
  if (magic != "FILE") {
    throw FormatError(fmt::format("{}: no FILE signature", what));
  }
  apply_fixups(bytes, what.c_str());
  const auto header = load<disk::FileRecordHeader>(bytes);
  FileRecord record;
  record.number = number;
  record.sequence = header.sequence_number.value();
  record.link_count = header.link_count.value();
  record.flags = header.flags.value();
  record.base = RecordReference::from_u64(header.base_record.value());
  record.next_attribute_id = header.next_attribute_id.value();

  const std::size_t in_use = header.bytes_in_use.value();
  if (in_use > bytes.size() || in_use < sizeof(disk::FileRecordHeader) - 6) {
    throw FormatError(fmt::format("{}: {} bytes in use of a {}-byte record", what, in_use,
                                  bytes.size()));
  }
  std::size_t offset = header.attributes_offset.value();
  if (offset % 8 != 0 || offset >= in_use) {
    throw FormatError(fmt::format("{}: attributes offset {} is misaligned or past the {} bytes "
                                  "in use", what, offset, in_use));
  }
  const auto used = std::span<const std::byte>(bytes).first(in_use);
  while (true) {
    if (in_use - offset < 4) throw FormatError(what + ": attribute list has no end marker");
    const std::uint32_t type = load<boost::endian::little_uint32_buf_t>(used, offset).value();
    if (type == disk::end_marker) break;
    if (in_use - offset < sizeof(disk::AttributeHeader)) {
      throw FormatError(fmt::format("{}: attribute at offset {:#x} runs past the bytes in use",
                                    what, offset));
    }
    const std::uint32_t length = load<boost::endian::little_uint32_buf_t>(used, offset + 4).value();
    if (length < sizeof(disk::AttributeHeader) || length % 8 != 0 || length > in_use - offset) {
      throw FormatError(fmt::format("{}: attribute at offset {:#x} has length {} ({} bytes "
                                    "left)", what, offset, length, in_use - offset));
    }
    try {
      record.attributes.push_back(parse_attribute(used, offset, length, number, total_clusters));
    } catch (const FormatError& error) {
      throw FormatError(fmt::format("{}: {}", what, error.what()));
    }
    offset += length;
  }
  return record;
}

}  // namespace diskimg::ntfs
