#include "vhdx/new_file.hpp"

#include "core/arithmetic.hpp"
#include "core/crc32.hpp"
#include "core/load.hpp"
#include "core/utf.hpp"
#include "vhdx/vhdx_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/version.hpp>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

namespace diskimg::vhdx {
namespace {

constexpr std::uint64_t log_offset = 1 * disk::MiB;
constexpr std::uint32_t log_length = 1 * disk::MiB;
constexpr std::uint64_t metadata_offset = 2 * disk::MiB;
constexpr std::uint64_t metadata_length = 1 * disk::MiB;
constexpr std::uint64_t bat_offset = 3 * disk::MiB;

Guid known(std::string_view text) { return *Guid::parse(text); }

std::string windows_path(const std::filesystem::path& path) {
  std::string text = path.string();
  std::replace(text.begin(), text.end(), '/', '\\');
  return text;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The parent locator's keys (2.6.2.6.3): the parent's DataWriteGuid, where it lies relative
// to the child, and its absolute path. A POSIX path has no drive letter, so the absolute
// path is written rooted (\dir\parent.vhdx), without the \\?\ prefix that on Windows
// needs one; a reader tries the relative path first (2.6.2.6.3's order).
std::vector<std::pair<std::string, std::string>> locator_for(const std::filesystem::path& child,
                                                             const std::filesystem::path& parent,
                                                             const Guid& data_write_guid) {
  const std::filesystem::path absolute = std::filesystem::absolute(parent);
  const std::filesystem::path relative =
      std::filesystem::relative(absolute, std::filesystem::absolute(child).parent_path());
  return {{"parent_linkage", fmt::format("{{{}}}", lower(data_write_guid.to_string()))},
          {"relative_path", windows_path(relative)},
          {"absolute_win32_path", windows_path(absolute)}};
}

std::vector<std::byte> locator_item(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<std::byte> item(sizeof(disk::ParentLocatorHeader) + pairs.size() * sizeof(disk::ParentLocatorEntry));
  disk::ParentLocatorHeader header{};
  header.locator_type = known(disk::vhdx_locator_type_guid).to_mixed_endian();
  header.key_value_count = static_cast<std::uint16_t>(pairs.size());
  store(header, item, 0, "parent locator header");
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const std::vector<std::byte> key = utf8_to_utf16le(pairs[i].first);
    const std::vector<std::byte> value = utf8_to_utf16le(pairs[i].second);
    disk::ParentLocatorEntry entry{};
    entry.key_offset = static_cast<std::uint32_t>(item.size());
    entry.key_length = static_cast<std::uint16_t>(key.size());
    item.insert(item.end(), key.begin(), key.end());
    entry.value_offset = static_cast<std::uint32_t>(item.size());
    entry.value_length = static_cast<std::uint16_t>(value.size());
    item.insert(item.end(), value.begin(), value.end());
    store(entry, item, sizeof(header) + i * sizeof(disk::ParentLocatorEntry), "parent locator entry");
  }
  return item;
}

template <class Value>
std::vector<std::byte> bytes_of(const Value& value) {
  std::vector<std::byte> bytes(sizeof(Value));
  std::memcpy(bytes.data(), &value, sizeof(Value));
  return bytes;
}

// The metadata region: the table, then the items one after another from 64 KiB.
std::vector<std::byte> metadata_region(const NewFile& plan) {
  const MetadataInfo& info = plan.metadata;
  struct Item {
    std::string_view guid;
    std::uint32_t flags;
    std::vector<std::byte> value;
  };
  disk::FileParameters parameters{};
  parameters.block_size = info.block_size;
  parameters.flags = (info.leave_blocks_allocated ? disk::leave_blocks_allocated : 0u) |
                     (info.has_parent ? disk::has_parent : 0u);
  const std::uint32_t disk_item = disk::metadata_is_virtual_disk | disk::metadata_is_required;
  std::vector<Item> items = {
      {disk::file_parameters_guid, disk::metadata_is_required, bytes_of(parameters)},
      {disk::virtual_disk_size_guid, disk_item, bytes_of(boost::endian::little_uint64_buf_t(info.virtual_size))},
      {disk::virtual_disk_id_guid, disk_item, bytes_of(info.virtual_disk_id.to_mixed_endian())},
      {disk::logical_sector_size_guid, disk_item, bytes_of(boost::endian::little_uint32_buf_t(info.logical_sector_size))},
      {disk::physical_sector_size_guid, disk_item, bytes_of(boost::endian::little_uint32_buf_t(info.physical_sector_size))},
  };
  if (info.has_parent) items.push_back({disk::parent_locator_guid, disk::metadata_is_required, locator_item(info.parent_locator)});
  std::vector<std::byte> region(metadata_length);
  disk::MetadataTableHeader header{};
  std::memcpy(header.signature.data(), "metadata", 8);
  header.entry_count = static_cast<std::uint16_t>(items.size());
  store(header, region, 0, "metadata table header");
  std::uint64_t next = disk::metadata_table_size;
  for (std::size_t i = 0; i < items.size(); ++i) {
    disk::MetadataTableEntry entry{};
    entry.item_id = known(items[i].guid).to_mixed_endian();
    entry.offset = static_cast<std::uint32_t>(next);
    entry.length = static_cast<std::uint32_t>(items[i].value.size());
    entry.flags = items[i].flags;
    store(entry, region, sizeof(header) + i * sizeof(entry), "metadata table entry");
    std::copy(items[i].value.begin(), items[i].value.end(), region.begin() + static_cast<std::ptrdiff_t>(next));
    next += items[i].value.size();
  }
  return region;
}

// Two regions, both required: the BAT and the metadata.
std::vector<std::byte> region_table(const NewFile& plan) {
  std::vector<std::byte> table(disk::region_table_size);
  disk::RegionTableHeader table_header{};
  std::memcpy(table_header.signature.data(), "regi", 4);
  table_header.entry_count = 2;
  store(table_header, table, 0, "region table header");
  const std::pair<std::string_view, std::pair<std::uint64_t, std::uint64_t>> regions[] = {
      {disk::bat_region_guid, {plan.bat_offset, plan.bat_length}},
      {disk::metadata_region_guid, {plan.metadata_offset, metadata_length}}};
  for (std::size_t i = 0; i < 2; ++i) {
    disk::RegionTableEntry entry{};
    entry.guid = known(regions[i].first).to_mixed_endian();
    entry.file_offset = regions[i].second.first;
    entry.length = static_cast<std::uint32_t>(regions[i].second.second);
    entry.required = 1;
    store(entry, table, sizeof(disk::RegionTableHeader) + i * sizeof(entry), "region table entry");
  }
  auto header = load<disk::RegionTableHeader>(table, 0, "region table header");
  header.checksum = crc32c_of(table);
  store(header, table, 0, "region table header");
  return table;
}

std::vector<std::byte> identifier(const std::string& creator) {
  std::vector<std::byte> bytes(sizeof(disk::FileIdentifier));
  std::memcpy(bytes.data(), "vhdxfile", 8);
  const std::vector<std::byte> name = utf8_to_utf16le(creator);
  std::copy_n(name.begin(), std::min<std::size_t>(name.size(), 510), bytes.begin() + 8);
  return bytes;
}

}  // namespace

void check_create_options(const CreateOptions& options) {
  if (options.type == VhdxType::differencing) {
    if (options.parent.empty()) throw UsageError("vhdx: a differencing disk needs a parent");
    return;
  }
  if (options.size == 0) throw UsageError("vhdx: a size is required (and must not be 0)");
  for (const std::uint32_t size : {options.logical_sector_size, options.physical_sector_size}) {
    if (size != 512 && size != 4096) throw UsageError(fmt::format("vhdx: sector size {} is neither 512 nor 4096", size));
  }
  const std::optional<std::uint64_t> rounded = checked_round_up(options.size, options.logical_sector_size);
  if (!rounded || *rounded > max_size) {
    throw UsageError(fmt::format("vhdx: {} bytes exceed the 64 TiB a VHDX can hold", options.size));
  }
  if (options.block_size < min_block_size || options.block_size > max_block_size ||
      !std::has_single_bit(options.block_size)) {
    throw UsageError(fmt::format("vhdx: block size {} is not a power of two from 1 MiB to 256 MiB", options.block_size));
  }
}

NewFile plan_new_file(const std::filesystem::path& path, const CreateOptions& options) {
  NewFile plan;
  plan.creator = fmt::format("diskimg {}", version);
  MetadataInfo& info = plan.metadata;
  if (options.type == VhdxType::differencing) {
    plan.parent = VhdxImage::open(options.parent);
    info.virtual_size = plan.parent->size();
    info.block_size = plan.parent->metadata().block_size;
    info.logical_sector_size = plan.parent->metadata().logical_sector_size;
    info.physical_sector_size = plan.parent->metadata().physical_sector_size;
    info.has_parent = true;
    info.parent_locator = locator_for(path, options.parent, plan.parent->header().data_write_guid);
  } else {
    info.virtual_size = *checked_round_up(options.size, options.logical_sector_size);
    info.block_size = options.block_size;
    info.logical_sector_size = options.logical_sector_size;
    info.physical_sector_size = options.physical_sector_size;
    info.leave_blocks_allocated = options.type == VhdxType::fixed;
  }
  info.virtual_disk_id = Guid::random();

  BatGeometry& geometry = plan.geometry;
  geometry.block_size = info.block_size;
  geometry.chunk_ratio = (disk::sectors_per_bitmap_block * info.logical_sector_size) / info.block_size;
  geometry.payload_blocks = ceil_div(info.virtual_size, info.block_size);
  geometry.bitmap_blocks = ceil_div(geometry.payload_blocks, geometry.chunk_ratio);
  geometry.entries = info.has_parent ? geometry.bitmap_blocks * (geometry.chunk_ratio + 1)
                                     : geometry.payload_blocks + (geometry.payload_blocks - 1) / geometry.chunk_ratio;
  plan.metadata_offset = metadata_offset;
  plan.bat_offset = bat_offset;
  plan.bat_length = ceil_div(geometry.entries * 8, disk::MiB) * disk::MiB;
  plan.data_start = plan.bat_offset + plan.bat_length;
  plan.bat.assign(geometry.entries, 0);
  plan.file_end = plan.data_start;
  if (options.type == VhdxType::fixed) {
    for (std::uint64_t block = 0; block < geometry.payload_blocks; ++block) {
      plan.bat[geometry.payload_entry(block)] =
          encode_bat_entry(disk::payload_fully_present, plan.data_start + block * info.block_size);
    }
    plan.file_end += geometry.payload_blocks * info.block_size;
  }
  HeaderInfo& header = plan.header;
  header.sequence_number = 1;
  header.file_write_guid = Guid::random();
  header.data_write_guid = Guid::random();
  header.version = 1;
  header.log_offset = log_offset;
  header.log_length = log_length;
  return plan;
}

void write_new_file(ByteSink& sink, const NewFile& plan) {
  sink.resize(plan.file_end);  // the log, the BAT of a dynamic disk and a fixed disk's blocks: zeros
  sink.write(plan.metadata_offset, metadata_region(plan));
  std::vector<std::byte> piece;
  for (std::uint64_t first = 0; first < plan.bat.size(); first += disk::MiB / 8) {
    const std::uint64_t count = std::min<std::uint64_t>(disk::MiB / 8, plan.bat.size() - first);
    piece.assign(count * 8, std::byte{0});
    bool any = false;
    for (std::uint64_t i = 0; i < count; ++i) {
      store(boost::endian::little_uint64_buf_t(plan.bat[first + i]), piece, i * 8, "BAT entry");
      any |= plan.bat[first + i] != 0;
    }
    if (any) sink.write(plan.bat_offset + first * 8, piece);
  }
  const std::vector<std::byte> table = region_table(plan);
  sink.write(disk::region_table_offsets[0], table);
  sink.write(disk::region_table_offsets[1], table);
  HeaderInfo header = plan.header;
  for (int i = 0; i < 2; ++i) {
    header.sequence_number = static_cast<std::uint64_t>(i);
    sink.write(disk::header_offsets[i], encode_header(header));
  }
  sink.write(disk::identifier_offset, identifier(plan.creator));
  sink.sync();
}

}  // namespace diskimg::vhdx
