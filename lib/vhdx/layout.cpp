#include "vhdx/layout.hpp"

#include "core/arithmetic.hpp"
#include "core/checksums.hpp"
#include "core/crc32.hpp"
#include "core/load.hpp"
#include "core/utf.hpp"
#include "vhdx/log.hpp"
#include "vhdx/vhdx_structures.hpp"

#include <diskimg/core/error.hpp>

#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace diskimg::vhdx {
namespace {

bool signature_is(std::span<const char> field, std::string_view text) {
  return std::string_view(field.data(), field.size()) == text;
}

Guid known(std::string_view text) { return *Guid::parse(text); }

// The CRC-32C of `bytes` with the 4-byte checksum field at `field` read as zero.
std::uint32_t checksum_of(std::span<const std::byte> bytes, std::size_t field) {
  std::vector<std::byte> copy(bytes.begin(), bytes.end());
  std::fill_n(copy.begin() + static_cast<std::ptrdiff_t>(field), 4, std::byte{0});
  return crc32c_of(copy);
}

// One header, or why it cannot be used.
struct HeaderRead {
  std::optional<HeaderInfo> header;
  std::string fault;
};

HeaderRead read_header(const ByteSource& file, std::uint64_t offset) {
  const std::vector<std::byte> bytes = file.read(offset, sizeof(disk::Header));
  const auto raw = load<disk::Header>(bytes, 0, "VHDX header");
  if (!signature_is(raw.signature, "head")) return {std::nullopt, "no \"head\" signature"};
  const std::uint32_t computed = checksum_of(bytes, offsetof(disk::Header, checksum));
  if (computed != raw.checksum.value() && !checksums_are_advisory()) {
    return {std::nullopt, fmt::format("checksum {:#010x}, computed {:#010x}", raw.checksum.value(), computed)};
  }
  HeaderInfo header;
  header.sequence_number = raw.sequence_number.value();
  header.file_write_guid = Guid::from_mixed_endian(raw.file_write_guid);
  header.data_write_guid = Guid::from_mixed_endian(raw.data_write_guid);
  header.log_guid = Guid::from_mixed_endian(raw.log_guid);
  header.log_version = raw.log_version.value();
  header.version = raw.version.value();
  header.log_length = raw.log_length.value();
  header.log_offset = raw.log_offset.value();
  return {header, {}};
}

// The current header (2.2.2): the valid one, or of two valid ones the one with the larger
// sequence number. A damaged one is a warning.
std::optional<int> choose_header(const ByteSource& file, std::vector<Problem>& problems, HeaderInfo& chosen) {
  HeaderRead reads[2] = {read_header(file, disk::header_offsets[0]), read_header(file, disk::header_offsets[1])};
  std::optional<int> current;
  for (int i = 0; i < 2; ++i) {
    if (!reads[i].header) continue;
    if (!current || reads[i].header->sequence_number > reads[*current].header->sequence_number) current = i;
  }
  if (!current) {
    problems.push_back({true,
                        fmt::format("neither header is usable: header 1 (offset {:#x}): {}; header 2 (offset {:#x}): {}",
                                    disk::header_offsets[0], reads[0].fault, disk::header_offsets[1], reads[1].fault),
                        {"header 1", disk::header_offsets[0]}});
    return std::nullopt;
  }
  for (int i = 0; i < 2; ++i) {
    if (reads[i].header) continue;
    problems.push_back({false,
                        fmt::format("header {} (offset {:#x}): {}; the other header is used", i + 1,
                                    disk::header_offsets[i], reads[i].fault),
                        {fmt::format("header {}", i + 1), disk::header_offsets[i]}});
  }
  chosen = *reads[*current].header;
  return current;
}

// One region table, or why it cannot be used.
struct RegionsRead {
  std::vector<RegionInfo> regions;
  std::string fault;
};

RegionsRead read_regions(const ByteSource& file, std::uint64_t offset) {
  const std::vector<std::byte> bytes = file.read(offset, disk::region_table_size);
  const auto header = load<disk::RegionTableHeader>(bytes, 0, "region table header");
  if (!signature_is(header.signature, "regi")) return {{}, "no \"regi\" signature"};
  const std::uint32_t computed = checksum_of(bytes, offsetof(disk::RegionTableHeader, checksum));
  if (computed != header.checksum.value() && !checksums_are_advisory()) {
    return {{}, fmt::format("checksum {:#010x}, computed {:#010x}", header.checksum.value(), computed)};
  }
  const std::uint32_t count = header.entry_count.value();
  if (count > disk::max_region_entries) return {{}, fmt::format("{} entries (at most 2047)", count)};
  RegionsRead read;
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto entry = load<disk::RegionTableEntry>(bytes, sizeof(header) + i * sizeof(disk::RegionTableEntry),
                                                    "region table entry");
    read.regions.push_back({Guid::from_mixed_endian(entry.guid), entry.file_offset.value(), entry.length.value(),
                            entry.required.value() != 0});
  }
  return read;
}

bool overlap(std::uint64_t a, std::uint64_t a_length, std::uint64_t b, std::uint64_t b_length) {
  return a < b + b_length && b < a + a_length;
}

// The region table in use, its regions checked: aligned, inside the file, apart from each
// other and from the log; the BAT and metadata present; no required region unknown.
bool take_regions(const ByteSource& file, Layout& layout, std::vector<Problem>& problems) {
  RegionsRead reads[2] = {read_regions(file, disk::region_table_offsets[0]),
                          read_regions(file, disk::region_table_offsets[1])};
  const int used = reads[0].fault.empty() ? 0 : 1;
  for (int i = 0; i < 2; ++i) {
    if (reads[i].fault.empty()) continue;
    const bool fatal = !reads[1 - i].fault.empty();
    problems.push_back({fatal,
                        fmt::format("region table {} (offset {:#x}): {}{}", i + 1, disk::region_table_offsets[i],
                                    reads[i].fault, fatal ? "" : "; the other table is used"),
                        {fmt::format("region table {}", i + 1), disk::region_table_offsets[i]}});
  }
  if (!reads[used].fault.empty()) return false;
  layout.regions = reads[used].regions;
  const Location where{fmt::format("region table {}", used + 1), disk::region_table_offsets[used]};
  bool have_bat = false;
  bool have_metadata = false;
  for (const RegionInfo& region : layout.regions) {
    const std::string name = region.guid == known(disk::bat_region_guid) ? "BAT"
                             : region.guid == known(disk::metadata_region_guid) ? "metadata"
                                                                                : "region " + region.guid.to_string();
    if (region.offset % disk::alignment != 0 || region.offset < disk::header_section_size || region.length == 0 ||
        region.length % disk::alignment != 0 || region.offset > file.size() ||
        region.length > file.size() - region.offset) {
      problems.push_back({true, fmt::format("{} region at offset {:#x} ({} bytes) is misaligned or outside the file "
                                            "({} bytes)", name, region.offset, region.length, file.size()),
                          where});
      return false;
    }
    if (layout.header.log_length != 0 &&
        overlap(region.offset, region.length, layout.header.log_offset, layout.header.log_length)) {
      problems.push_back({true, fmt::format("{} region at offset {:#x} overlaps the log", name, region.offset), where});
      return false;
    }
    for (const RegionInfo& other : layout.regions) {
      if (&other != &region && overlap(region.offset, region.length, other.offset, other.length)) {
        problems.push_back({true, fmt::format("{} region at offset {:#x} overlaps another region", name, region.offset),
                            where});
        return false;
      }
    }
    if (name == "BAT") {
      layout.bat = region;
      have_bat = true;
    } else if (name == "metadata") {
      layout.metadata_region = region;
      have_metadata = true;
    } else if (region.required) {
      throw UnsupportedError(fmt::format("vhdx: {}: a required region diskimg does not know ({}); the file "
                                         "must not be opened", file.name(), region.guid.to_string()),
                             where);
    }
  }
  if (!have_bat || !have_metadata) {
    problems.push_back({true, fmt::format("the region table has no {} region", have_bat ? "metadata" : "BAT"), where});
    return false;
  }
  return true;
}

std::string utf16le(std::span<const std::byte> bytes) { return utf16le_to_utf8(bytes); }

// The parent locator item (2.6.2.6): its type and key/value pairs.
std::vector<std::pair<std::string, std::string>> parse_locator(std::span<const std::byte> item, const Location& where) {
  const auto header = load<disk::ParentLocatorHeader>(item, 0, "parent locator header");
  if (Guid::from_mixed_endian(header.locator_type) != known(disk::vhdx_locator_type_guid)) {
    throw UnsupportedError(fmt::format("vhdx: the parent locator's type {} is not the VHDX locator",
                                       Guid::from_mixed_endian(header.locator_type).to_string()),
                           where);
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  const std::uint16_t count = header.key_value_count.value();
  for (std::uint16_t i = 0; i < count; ++i) {
    const auto entry = load<disk::ParentLocatorEntry>(item, sizeof(header) + i * sizeof(disk::ParentLocatorEntry),
                                                      "parent locator entry");
    const auto text = [&](std::uint32_t offset, std::uint16_t length) {
      if (offset == 0 || length == 0 || length % 2 != 0 || offset > item.size() || length > item.size() - offset) {
        throw FormatError(fmt::format("vhdx: parent locator entry {}: {} bytes at offset {} lie outside its {} bytes",
                                      i, length, offset, item.size()),
                          where);
      }
      return utf16le(item.subspan(offset, length));
    };
    pairs.emplace_back(text(entry.key_offset.value(), entry.key_length.value()),
                       text(entry.value_offset.value(), entry.value_length.value()));
  }
  return pairs;
}

template <class Value>
Value item_value(std::span<const std::byte> item, const char* name, const Location& where) {
  if (item.size() < sizeof(Value)) {
    throw FormatError(fmt::format("vhdx: the {} metadata item has {} bytes, not {}", name, item.size(), sizeof(Value)),
                      where);
  }
  return load<Value>(item, 0, name);
}

// The metadata table and its known items (2.6); what the disk is.
bool read_metadata(const ByteSource& file, Layout& layout, std::vector<Problem>& problems) {
  const RegionInfo& region = layout.metadata_region;
  const Location where{"metadata table", region.offset};
  if (region.length < disk::metadata_table_size) {
    problems.push_back({true, "the metadata region is smaller than its table", where});
    return false;
  }
  const std::vector<std::byte> table = file.read(region.offset, disk::metadata_table_size);
  const auto header = load<disk::MetadataTableHeader>(table, 0, "metadata table header");
  if (!signature_is(header.signature, "metadata")) {
    problems.push_back({true, fmt::format("metadata table (offset {:#x}): no \"metadata\" signature", region.offset),
                        where});
    return false;
  }
  const std::uint16_t count = header.entry_count.value();
  if (count > disk::max_metadata_entries) {
    problems.push_back({true, fmt::format("metadata table: {} entries (at most 2047)", count), where});
    return false;
  }
  MetadataInfo& info = layout.metadata;
  unsigned found = 0;  // bits: parameters, size, id, logical, physical, locator
  for (std::uint16_t i = 0; i < count; ++i) {
    const auto entry = load<disk::MetadataTableEntry>(table, sizeof(header) + i * sizeof(disk::MetadataTableEntry),
                                                      "metadata table entry");
    const Guid id = Guid::from_mixed_endian(entry.item_id);
    const std::uint32_t offset = entry.offset.value();
    const std::uint32_t length = entry.length.value();
    const std::uint32_t flags = entry.flags.value();
    const Location item_where{"metadata item " + id.to_string(), region.offset + offset};
    if (length > disk::MiB || (length != 0 && offset < disk::metadata_table_size) || offset > region.length ||
        length > region.length - offset) {
      problems.push_back({true, fmt::format("metadata item {}: {} bytes at offset {:#x} lie outside the metadata "
                                            "region ({} bytes)", id.to_string(), length, offset, region.length),
                          item_where});
      return false;
    }
    const std::vector<std::byte> item = file.read(region.offset + offset, length);
    if (flags & disk::metadata_is_user) continue;  // user metadata: not the disk's
    if (id == known(disk::file_parameters_guid)) {
      const auto value = item_value<disk::FileParameters>(item, "file parameters", item_where);
      info.block_size = value.block_size.value();
      info.leave_blocks_allocated = (value.flags.value() & disk::leave_blocks_allocated) != 0;
      info.has_parent = (value.flags.value() & disk::has_parent) != 0;
      found |= 1;
    } else if (id == known(disk::virtual_disk_size_guid)) {
      info.virtual_size = item_value<boost::endian::little_uint64_buf_t>(item, "virtual disk size", item_where).value();
      found |= 2;
    } else if (id == known(disk::virtual_disk_id_guid)) {
      info.virtual_disk_id = Guid::from_mixed_endian(item_value<disk::RawGuid>(item, "virtual disk id", item_where));
      found |= 4;
    } else if (id == known(disk::logical_sector_size_guid)) {
      info.logical_sector_size =
          item_value<boost::endian::little_uint32_buf_t>(item, "logical sector size", item_where).value();
      found |= 8;
    } else if (id == known(disk::physical_sector_size_guid)) {
      info.physical_sector_size =
          item_value<boost::endian::little_uint32_buf_t>(item, "physical sector size", item_where).value();
      found |= 16;
    } else if (id == known(disk::parent_locator_guid)) {
      info.parent_locator = parse_locator(item, item_where);
      found |= 32;
    } else if (flags & disk::metadata_is_required) {
      throw UnsupportedError(fmt::format("vhdx: {}: a required metadata item diskimg does not know ({}); the file "
                                         "must not be opened", file.name(), id.to_string()),
                             item_where);
    }
  }
  const auto missing = [&](const char* what) {
    problems.push_back({true, fmt::format("the metadata has no {} item", what), where});
    return false;
  };
  if (!(found & 1)) return missing("file parameters");
  if (!(found & 2)) return missing("virtual disk size");
  if (!(found & 4)) return missing("virtual disk id (page 83 data)");  // required (2.6.2), and qemu refuses files without it
  if (!(found & 8)) return missing("logical sector size");
  if (!(found & 16)) return missing("physical sector size");
  if (info.has_parent && !(found & 32)) return missing("parent locator");
  if (info.block_size < min_block_size || info.block_size > max_block_size || !std::has_single_bit(info.block_size)) {
    problems.push_back({true, fmt::format("block size {} is not a power of two from 1 MiB to 256 MiB", info.block_size),
                        where});
    return false;
  }
  for (const std::uint32_t size : {info.logical_sector_size, info.physical_sector_size}) {
    if (size != 512 && size != 4096) {
      problems.push_back({true, fmt::format("sector size {} is neither 512 nor 4096", size), where});
      return false;
    }
  }
  if (info.virtual_size == 0 || info.virtual_size % info.logical_sector_size != 0 || info.virtual_size > max_size) {
    problems.push_back({true, fmt::format("virtual disk size {} is not a whole number of {}-byte sectors up to 64 TiB",
                                          info.virtual_size, info.logical_sector_size),
                        where});
    return false;
  }
  return true;
}

// How the BAT is laid out for this disk (2.5), and that its region holds it.
bool take_geometry(Layout& layout, std::vector<Problem>& problems) {
  const MetadataInfo& info = layout.metadata;
  BatGeometry& geometry = layout.geometry;
  geometry.block_size = info.block_size;
  geometry.chunk_ratio = (disk::sectors_per_bitmap_block * info.logical_sector_size) / info.block_size;
  geometry.payload_blocks = ceil_div(info.virtual_size, info.block_size);
  geometry.bitmap_blocks = ceil_div(geometry.payload_blocks, geometry.chunk_ratio);
  geometry.entries = info.has_parent ? geometry.bitmap_blocks * (geometry.chunk_ratio + 1)
                                     : geometry.payload_blocks + (geometry.payload_blocks - 1) / geometry.chunk_ratio;
  if (geometry.entries * 8 > layout.bat.length) {
    problems.push_back({true, fmt::format("the BAT region holds {} entries; the disk needs {}", layout.bat.length / 8,
                                          geometry.entries),
                        {"BAT", layout.bat.offset}});
    return false;
  }
  layout.type = info.has_parent ? VhdxType::differencing
                : info.leave_blocks_allocated ? VhdxType::fixed
                                              : VhdxType::dynamic;
  return true;
}

}  // namespace

BatEntry decode_bat_entry(std::uint64_t raw) {
  return {static_cast<std::uint8_t>(raw & disk::bat_state_mask), (raw >> disk::bat_offset_shift) * disk::MiB};
}

std::uint64_t encode_bat_entry(std::uint8_t state, std::uint64_t offset) {
  return (offset / disk::MiB) << disk::bat_offset_shift | state;
}

bool has_vhdx_signature(const ByteSource& file) {
  if (file.size() < 8) return false;
  std::array<std::byte, 8> signature{};
  file.read(0, signature);
  return std::memcmp(signature.data(), "vhdxfile", 8) == 0;
}

std::optional<Layout> read_layout(SourcePtr file, std::vector<Problem>& problems) {
  if (file->size() < disk::header_section_size || !has_vhdx_signature(*file)) {
    problems.push_back({true, fmt::format("{} bytes without a \"vhdxfile\" identifier and a 1 MiB header section",
                                          file->size()),
                        {"file type identifier", 0}});
    return std::nullopt;
  }
  Layout layout;
  const std::optional<int> current = choose_header(*file, problems, layout.header);
  if (!current) return std::nullopt;
  layout.current_header = *current;
  const Location header_where{fmt::format("header {}", *current + 1), disk::header_offsets[*current]};
  if (layout.header.version != 1) {
    problems.push_back({true, fmt::format("format version {} (1 is known)", layout.header.version), header_where});
    return std::nullopt;
  }
  // Where the log lies matters even with nothing to replay: a writer's first commit writes
  // there (2.2.2: a multiple of 1 MiB, at 1 MiB or past, inside the file).
  const std::uint64_t log_offset = layout.header.log_offset;
  const std::uint64_t log_length = layout.header.log_length;
  if (log_length != 0 && (log_length % disk::alignment != 0 || log_offset % disk::alignment != 0 ||
                          log_offset < disk::header_section_size || log_offset > file->size() ||
                          log_length > file->size() - log_offset)) {
    problems.push_back({true, fmt::format("the log at offset {:#x} ({} bytes) is misaligned or outside the file ({} "
                                          "bytes)", log_offset, log_length, file->size()),
                        header_where});
    return std::nullopt;
  }
  layout.file = file;
  if (!layout.header.log_guid.is_zero()) {
    if (layout.header.log_version != 0) {
      problems.push_back({true, fmt::format("log version {} (0 is known) with a log to replay", layout.header.log_version),
                          header_where});
      return std::nullopt;
    }
    const LogPlace place{layout.header.log_offset, layout.header.log_length, layout.header.log_guid};
    if (std::optional<Replay> replay = replay_log(file, place, problems)) {
      layout.file = replay->file;
      layout.replay = LogReplayInfo{replay->entries, replay->sectors, replay->zeroed, replay->head_sequence};
    }
  }
  if (!take_regions(*layout.file, layout, problems)) return std::nullopt;
  if (!read_metadata(*layout.file, layout, problems)) return std::nullopt;
  if (!take_geometry(layout, problems)) return std::nullopt;
  return layout;
}

void for_each_bat_entry(const Layout& layout, const std::function<void(std::uint64_t, BatEntry)>& visit) {
  constexpr std::uint64_t piece_entries = disk::MiB / 8;
  std::vector<std::byte> piece;
  for (std::uint64_t first = 0; first < layout.geometry.entries; first += piece_entries) {
    const std::uint64_t count = std::min(piece_entries, layout.geometry.entries - first);
    piece.resize(count * 8);
    layout.file->read(layout.bat.offset + first * 8, piece);
    for (std::uint64_t i = 0; i < count; ++i) {
      visit(first + i, decode_bat_entry(load<boost::endian::little_uint64_buf_t>(piece, i * 8, "BAT entry").value()));
    }
  }
}

std::uint64_t largest_file_needed(const Layout& layout) {
  // Every term is bounded by what read_layout accepts: regions and a log inside the file
  // (at most max_replayed_file_size), a virtual size of at most 64 TiB.
  std::uint64_t regions_end = 0;
  if (layout.header.log_length != 0 && layout.header.log_offset <= layout.file->size()) {
    regions_end = layout.header.log_offset + layout.header.log_length;
  }
  for (const RegionInfo& region : layout.regions) regions_end = std::max(regions_end, region.offset + region.length);
  const BatGeometry& geometry = layout.geometry;
  return regions_end + geometry.payload_blocks * geometry.block_size + geometry.bitmap_blocks * disk::bitmap_block_size;
}

void check_blocks(const Layout& layout, std::vector<Problem>& problems) {
  // One bit per MiB of the file: what is taken. Structures are MiB-aligned.
  const std::uint64_t file_mib = ceil_div(layout.file->size(), disk::MiB);
  std::vector<bool> taken(file_mib, false);
  const auto take = [&](std::uint64_t offset, std::uint64_t length) {
    const std::uint64_t end = std::min(file_mib, ceil_div(offset + length, disk::MiB));
    bool clash = false;
    for (std::uint64_t mib = offset / disk::MiB; mib < end; ++mib) {
      clash |= taken[mib];
      taken[mib] = true;
    }
    return clash;
  };
  take(0, disk::header_section_size);
  if (layout.header.log_length != 0) take(layout.header.log_offset, layout.header.log_length);
  for (const RegionInfo& region : layout.regions) take(region.offset, region.length);
  std::size_t reported = 0;
  const auto report = [&](std::string message, std::uint64_t index) {
    if (reported++ < 16) problems.push_back({true, std::move(message), {fmt::format("BAT entry {}", index),
                                                                         layout.bat.offset + index * 8}});
  };
  const BatGeometry& geometry = layout.geometry;
  const bool differencing = layout.type == VhdxType::differencing;
  for_each_bat_entry(layout, [&](std::uint64_t index, BatEntry entry) {
    const bool bitmap = index % (geometry.chunk_ratio + 1) == geometry.chunk_ratio;
    const std::uint8_t state = entry.state;
    if (bitmap) {
      if (state == disk::bitmap_not_present) return;
      if (state != disk::bitmap_present || !differencing) {
        report(fmt::format("BAT entry {} (a sector bitmap block) has state {}", index, state), index);
        return;
      }
    } else {
      if (state == disk::payload_partially_present && !differencing) {
        report(fmt::format("BAT entry {} is partially present in a disk without a parent", index), index);
        return;
      }
      if (state == 4 || state == 5) {
        report(fmt::format("BAT entry {} has the reserved state {}", index, state), index);
        return;
      }
      if (state != disk::payload_fully_present && state != disk::payload_partially_present) return;
    }
    const std::uint64_t length = bitmap ? disk::bitmap_block_size : geometry.block_size;
    if (entry.offset < disk::header_section_size || entry.offset > layout.file->size() ||
        length > layout.file->size() - entry.offset) {
      report(fmt::format("BAT entry {} points at offset {:#x}, outside the file ({} bytes)", index, entry.offset,
                         layout.file->size()),
             index);
      return;
    }
    if (take(entry.offset, length)) {
      report(fmt::format("BAT entry {}'s block at offset {:#x} overlaps another structure or block", index,
                         entry.offset),
             index);
    }
  });
  if (reported > 16) {
    problems.push_back({true, fmt::format("{} more BAT entries are wrong", reported - 16), {"BAT", layout.bat.offset}});
  }
}

std::vector<std::byte> encode_header(const HeaderInfo& info) {
  disk::Header header{};
  std::memcpy(header.signature.data(), "head", 4);
  header.sequence_number = info.sequence_number;
  header.file_write_guid = info.file_write_guid.to_mixed_endian();
  header.data_write_guid = info.data_write_guid.to_mixed_endian();
  header.log_guid = info.log_guid.to_mixed_endian();
  header.log_version = info.log_version;
  header.version = info.version;
  header.log_length = info.log_length;
  header.log_offset = info.log_offset;
  std::vector<std::byte> bytes(sizeof(disk::Header));
  store(header, bytes, 0, "VHDX header");
  header.checksum = crc32c_of(bytes);
  store(header, bytes, 0, "VHDX header");
  return bytes;
}

}  // namespace diskimg::vhdx
