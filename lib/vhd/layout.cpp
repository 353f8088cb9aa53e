#include "vhd/layout.hpp"

#include "core/allocate.hpp"
#include "core/arithmetic.hpp"
#include "core/checksums.hpp"
#include "core/load.hpp"
#include "core/utf.hpp"
#include "vhd/vhd_structures.hpp"

#include <diskimg/core/error.hpp>

#include <algorithm>
#include <bit>
#include <chrono>

#include <sys/stat.h>

#include <fmt/format.h>

namespace diskimg::vhd {
namespace {

// A hostile header could ask for any number of BAT entries: 2040 GiB in 512 KiB blocks
// needs about 4 million; more is refused before anything is allocated.
constexpr std::uint32_t max_table_entries_read = 1u << 22;
constexpr std::uint32_t min_block_size_read = 4096;
constexpr std::uint32_t max_locator_bytes = 64u << 10;
// 2000-01-01 00:00:00 UTC, the VHD epoch, in Unix seconds.
constexpr std::int64_t vhd_epoch = 946684800;

std::string locator_name(std::uint32_t code) {
  std::string name(4, ' ');
  for (int i = 0; i < 4; ++i) name[i] = static_cast<char>((code >> (24 - 8 * i)) & 0xFF);
  return name;
}

// Whether `bytes` hold a footer to use; `why` says what is wrong with them. A checksum
// mismatch makes a footer unusable, unless checksums are advisory (core/checksums.hpp):
// then it is used and `why` still names the mismatch, for the caller to report.
bool footer_valid(std::span<const std::byte> bytes, std::string& why) {
  const auto footer = load<disk::Footer>(bytes, 0, "footer");
  if (std::string_view(footer.cookie.data(), 8) != "conectix") {
    why = "no \"conectix\" cookie";
    return false;
  }
  const std::uint32_t computed = disk::checksum_of(bytes.first(512), disk::footer_checksum_offset);
  if (computed != footer.checksum.value()) {
    why = fmt::format("checksum {:#010x}, computed {:#010x}", footer.checksum.value(), computed);
    return checksums_are_advisory();
  }
  return true;
}

std::string decode_locator(std::uint32_t code, std::span<const std::byte> data) {
  if (code == disk::locator_macx) {
    std::string text(reinterpret_cast<const char*>(data.data()), data.size());
    while (!text.empty() && text.back() == '\0') text.pop_back();
    return text;
  }
  return utf16le_to_utf8(utf16le_before_nul(data));
}

HeaderInfo parse_header(const disk::DynamicHeader& header, const ByteSource& file,
                        std::vector<Problem>& problems) {
  HeaderInfo info;
  info.table_offset = header.table_offset.value();
  info.max_table_entries = header.max_table_entries.value();
  info.block_size = header.block_size.value();
  info.parent_unique_id = Guid::from_big_endian(header.parent_unique_id);
  info.parent_timestamp = header.parent_timestamp.value();
  std::u16string name;  // UTF-16BE, unlike the locators
  for (const auto& unit : header.parent_name) {
    if (unit.value() == 0) break;
    name.push_back(static_cast<char16_t>(unit.value()));
  }
  info.parent_name = utf16_to_utf8(name);
  for (std::size_t i = 0; i < header.parent_locators.size(); ++i) {
    const disk::ParentLocator& locator = header.parent_locators[i];
    const std::uint32_t code = locator.platform_code.value();
    if (code == 0) continue;
    const std::uint64_t offset = locator.data_offset.value();
    const std::uint32_t length = locator.data_length.value();
    if (code != disk::locator_w2ru && code != disk::locator_w2ku && code != disk::locator_macx) {
      continue;  // Wi2r, Wi2k and others: deprecated or not for this platform
    }
    if (length > max_locator_bytes || offset > file.size() || length > file.size() - offset) {
      problems.push_back({false,
                          fmt::format("parent locator {} ({}): {} bytes at offset {:#x} lie outside "
                                      "the file", i, locator_name(code), length, offset),
                          {fmt::format("parent locator {}", i), offset}});
      continue;
    }
    info.locators.push_back({locator_name(code), decode_locator(code, file.read(offset, length)), offset, length});
  }
  return info;
}

// A BAT of millions of bad entries names the first few of each kind, then counts the rest:
// one problem per entry took 369 MB for a 744-byte fuzzer input (vhd_fuzzer's hour).
constexpr std::size_t bat_problems_named = 16;

void count_the_rest(std::size_t found, const char* what, std::vector<Problem>& problems) {
  if (found <= bat_problems_named) return;
  problems.push_back({true, fmt::format("and {} more BAT entries {}", found - bat_problems_named, what),
                      {"BAT", std::nullopt}});
}

void check_bat(Layout& layout, std::uint64_t data_end, std::uint64_t metadata_end,
               std::vector<Problem>& problems) {
  const std::uint64_t extent = std::uint64_t{layout.bitmap_bytes} + layout.header->block_size;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> allocated;
  std::size_t outside = 0;
  for (std::uint32_t block = 0; block < layout.bat.size(); ++block) {
    const std::uint32_t entry = layout.bat[block];
    if (entry == disk::unallocated) continue;
    const std::uint64_t offset = std::uint64_t{entry} * 512;
    if (offset < metadata_end || offset > data_end || extent > data_end - offset) {
      if (++outside > bat_problems_named) continue;
      problems.push_back({true,
                          fmt::format("BAT entry {} (sector {}, offset {:#x}) points outside the "
                                      "file's data area ({:#x}..{:#x})", block, entry, offset,
                                      metadata_end, data_end),
                          {fmt::format("BAT entry {}", block), layout.header->table_offset + std::uint64_t{block} * 4}});
      continue;
    }
    allocated.emplace_back(offset, block);
  }
  count_the_rest(outside, "point outside the file's data area", problems);
  std::sort(allocated.begin(), allocated.end());
  std::size_t overlapping = 0;
  for (std::size_t i = 1; i < allocated.size(); ++i) {
    if (allocated[i].first - allocated[i - 1].first < extent) {
      if (++overlapping > bat_problems_named) continue;
      problems.push_back({true,
                          fmt::format("BAT entries {} and {} overlap (offsets {:#x} and {:#x}, "
                                      "blocks of {} bytes)", allocated[i - 1].second,
                                      allocated[i].second, allocated[i - 1].first,
                                      allocated[i].first, extent),
                          {fmt::format("BAT entry {}", allocated[i].second),
                           layout.header->table_offset + std::uint64_t{allocated[i].second} * 4}});
    }
  }
  count_the_rest(overlapping, "overlap the one before them", problems);
}

// Where the file's structures and blocks end: the place of its footer.
std::uint64_t used_end(const Layout& layout, std::uint64_t metadata_end) {
  std::uint64_t end = metadata_end;
  for (const LocatorInfo& locator : layout.header->locators) {
    end = std::max(end, locator.data_offset + locator.data_length);
  }
  for (const std::uint32_t entry : layout.bat) {
    if (entry == disk::unallocated) continue;
    end = std::max(end, std::uint64_t{entry} * 512 + layout.bitmap_bytes + layout.header->block_size);
  }
  return ceil_div(end, 512) * 512;
}

// The dynamic header and the BAT of a dynamic or differencing disk.
bool read_dynamic_parts(const ByteSource& file, Layout& layout, std::vector<Problem>& problems) {
  const std::uint64_t header_offset = layout.footer.data_offset;
  if (header_offset > file.size() || file.size() - header_offset < sizeof(disk::DynamicHeader)) {
    problems.push_back({true,
                        fmt::format("dynamic header at offset {:#x} lies outside the file ({} bytes)",
                                    header_offset, file.size()),
                        {"dynamic header", header_offset}});
    return false;
  }
  const std::vector<std::byte> bytes = file.read(header_offset, sizeof(disk::DynamicHeader));
  const auto header = load<disk::DynamicHeader>(bytes, 0, "dynamic header");
  const std::string where = fmt::format("dynamic header (offset {:#x})", header_offset);
  const Location here{"dynamic header", header_offset};
  if (std::string_view(header.cookie.data(), 8) != "cxsparse") {
    problems.push_back({true, where + ": no \"cxsparse\" cookie", here});
    return false;
  }
  const std::uint32_t computed = disk::checksum_of(bytes, disk::header_checksum_offset);
  if (computed != header.checksum.value()) {
    problems.push_back({!checksums_are_advisory(), fmt::format("{}: checksum {:#010x}, computed {:#010x}", where,
                                                               header.checksum.value(), computed), here});
    if (!checksums_are_advisory()) return false;
  }
  layout.header = parse_header(header, file, problems);
  const HeaderInfo& info = *layout.header;
  if (info.block_size < min_block_size_read || info.block_size > max_block_size ||
      !std::has_single_bit(info.block_size)) {
    problems.push_back({true, fmt::format("{}: block size {} is not a power of two from 4 KiB "
                                          "to 256 MiB", where, info.block_size), here});
    return false;
  }
  const std::uint64_t needed = ceil_div(layout.footer.current_size, info.block_size);
  if (info.max_table_entries < needed || info.max_table_entries > max_table_entries_read) {
    problems.push_back({true, fmt::format("{}: {} BAT entries for {} blocks of {} bytes (the "
                                          "size needs {}; at most {} are read)", where,
                                          info.max_table_entries, needed, info.block_size,
                                          needed, max_table_entries_read), here});
    return false;
  }
  if (info.max_table_entries > needed) {
    problems.push_back({false, fmt::format("{}: {} BAT entries where the size needs {} (Azure "
                                           "refuses such files)", where, info.max_table_entries,
                                           needed), here});
  }
  const std::uint64_t table_bytes = std::uint64_t{info.max_table_entries} * 4;
  if (info.table_offset > file.size() || table_bytes > file.size() - info.table_offset) {
    problems.push_back({true,
                        fmt::format("BAT at offset {:#x} ({} bytes) lies outside the file ({} bytes)",
                                    info.table_offset, table_bytes, file.size()),
                        {"BAT", info.table_offset}});
    return false;
  }
  const Location bat_here{"BAT", info.table_offset};
  const std::vector<std::byte> table =
      allocating("BAT", table_bytes, bat_here, [&] { return file.read(info.table_offset, table_bytes); });
  allocating("BAT", table_bytes, bat_here, [&] { layout.bat.resize(info.max_table_entries); });
  for (std::uint32_t i = 0; i < info.max_table_entries; ++i) {
    layout.bat[i] = load<boost::endian::big_uint32_buf_t>(table, std::size_t{i} * 4, "BAT entry").value();
  }
  layout.bitmap_bytes = ((info.block_size / 512 + 7) / 8 + 511) / 512 * 512;
  const std::uint64_t data_end = layout.footer_from_copy ? file.size() : file.size() - 512;
  const std::uint64_t metadata_end =
      std::max(header_offset + sizeof(disk::DynamicHeader), info.table_offset + table_bytes);
  check_bat(layout, data_end, std::min(metadata_end, data_end), problems);
  layout.used_end = used_end(layout, metadata_end);
  return true;
}


}  // namespace

std::uint64_t Layout::block_count() const { return bat.size(); }

FooterInfo parse_footer(std::span<const std::byte> bytes) {
  const auto footer = load<disk::Footer>(bytes, 0, "footer");
  FooterInfo info;
  info.features = footer.features.value();
  info.format_version = footer.format_version.value();
  info.data_offset = footer.data_offset.value();
  info.timestamp = footer.timestamp.value();
  info.creator_application.assign(footer.creator_application.data(), 4);
  info.creator_version = footer.creator_version.value();
  info.creator_host_os = footer.creator_host_os.value();
  info.original_size = footer.original_size.value();
  info.current_size = footer.current_size.value();
  info.geometry = {footer.cylinders.value(), footer.heads, footer.sectors_per_track};
  const std::uint32_t type = footer.disk_type.value();
  info.type = type == disk::type_dynamic ? VhdType::dynamic
            : type == disk::type_differencing ? VhdType::differencing
                                              : VhdType::fixed;
  info.checksum = footer.checksum.value();
  info.unique_id = Guid::from_big_endian(footer.unique_id);
  info.saved_state = footer.saved_state != 0;
  if (footer.merge_tag == disk::merge_tag) info.merging_child = Guid::from_big_endian(footer.merge_child);
  return info;
}

std::vector<std::byte> encode_footer(const FooterInfo& info) {
  disk::Footer footer{};
  std::copy_n("conectix", 8, footer.cookie.begin());
  footer.features = info.features;
  footer.format_version = info.format_version;
  footer.data_offset = info.data_offset;
  footer.timestamp = info.timestamp;
  std::copy_n(info.creator_application.begin(), std::min<std::size_t>(4, info.creator_application.size()),
              footer.creator_application.begin());
  footer.creator_version = info.creator_version;
  footer.creator_host_os = info.creator_host_os;
  footer.original_size = info.original_size;
  footer.current_size = info.current_size;
  footer.cylinders = info.geometry.cylinders;
  footer.heads = info.geometry.heads;
  footer.sectors_per_track = info.geometry.sectors_per_track;
  footer.disk_type = info.type == VhdType::dynamic ? disk::type_dynamic
                   : info.type == VhdType::differencing ? disk::type_differencing
                                                        : disk::type_fixed;
  footer.unique_id = info.unique_id.to_big_endian();
  footer.saved_state = info.saved_state ? 1 : 0;
  if (info.merging_child) {
    footer.merge_tag = disk::merge_tag;
    footer.merge_child = info.merging_child->to_big_endian();
  }
  std::vector<std::byte> bytes(sizeof(disk::Footer));
  store(footer, bytes, 0, "footer");
  const std::uint32_t checksum = disk::checksum_of(bytes, disk::footer_checksum_offset);
  footer.checksum = checksum;
  store(footer, bytes, 0, "footer");
  return bytes;
}

std::optional<Guid> peek_unique_id(const ByteSource& file) {
  if (file.size() < 512) return std::nullopt;
  for (const std::uint64_t offset : {file.size() - 512, std::uint64_t{0}}) {
    const std::vector<std::byte> bytes = file.read(offset, 512);
    std::string why;
    if (footer_valid(bytes, why)) return parse_footer(bytes).unique_id;
  }
  return std::nullopt;
}

std::optional<Layout> read_layout(const ByteSource& file, std::vector<Problem>& problems) {
  Layout layout;
  layout.file_size = file.size();
  if (file.size() < 512) {
    problems.push_back({true, fmt::format("{} bytes: too small for a VHD footer", file.size()),
                        {"footer", 0}});
    return std::nullopt;
  }
  const std::uint64_t end_offset = file.size() - 512;
  const std::vector<std::byte> end = file.read(end_offset, 512);
  const std::vector<std::byte> start = file.read(0, 512);
  std::string end_fault;
  std::string start_fault;
  const bool end_ok = footer_valid(end, end_fault);
  const bool start_ok = footer_valid(start, start_fault);
  if (end_ok) {
    layout.footer = parse_footer(end);
    if (!end_fault.empty()) {  // a checksum mismatch, advisory
      problems.push_back({false, fmt::format("footer at offset {:#x}: {}", end_offset, end_fault),
                          {"footer", end_offset}});
    }
  } else if (start_ok && parse_footer(start).type != VhdType::fixed) {
    layout.footer = parse_footer(start);
    layout.footer_from_copy = true;
    problems.push_back({false,
                        fmt::format("footer at offset {:#x}: {}; using the copy at offset 0",
                                    end_offset, end_fault),
                        {"footer", end_offset}});
  } else {
    problems.push_back({true, fmt::format("footer at offset {:#x}: {}", end_offset, end_fault),
                        {"footer", end_offset}});
    return std::nullopt;
  }
  FooterInfo& footer = layout.footer;
  const Location footer_here{"footer", layout.footer_from_copy ? 0 : end_offset};
  if (footer.merging_child) {
    problems.push_back({false,
                        fmt::format("a merge of the differencing disk with unique ID {} into this file "
                                    "was interrupted: it reads right only through that disk until the "
                                    "merge is run again to its end", footer.merging_child->to_string()),
                        footer_here});
  }
  const std::uint32_t raw_type =
      load<disk::Footer>(layout.footer_from_copy ? start : end, 0, "footer").disk_type.value();
  if (raw_type != disk::type_fixed && raw_type != disk::type_dynamic &&
      raw_type != disk::type_differencing) {
    problems.push_back({true, fmt::format("footer: disk type {} is not fixed (2), dynamic (3) "
                                          "or differencing (4)", raw_type), footer_here});
    return std::nullopt;
  }
  if (footer.current_size % 512 != 0) {
    problems.push_back({true, fmt::format("footer: current size {} is not a whole number of "
                                          "sectors", footer.current_size), footer_here});
    return std::nullopt;
  }
  if (footer.type == VhdType::fixed) {
    if (footer.current_size > end_offset) {
      problems.push_back({true, fmt::format("fixed disk of {} bytes in a {}-byte file: truncated",
                                            footer.current_size, file.size()), footer_here});
      return std::nullopt;
    }
    return layout;
  }
  if (end_ok && start_ok && end != start) {
    problems.push_back({false, "the footer copy at offset 0 differs from the footer at the end", {"footer", 0}});
  }
  if (footer.current_size > max_dynamic_size) {
    problems.push_back({false, fmt::format("{} bytes exceed the format's 2040 GiB limit for "
                                           "dynamic disks", footer.current_size), footer_here});
  }
  if (!read_dynamic_parts(file, layout, problems)) return std::nullopt;
  const bool fatal = std::any_of(problems.begin(), problems.end(), [](const Problem& p) { return p.fatal; });
  if (fatal) return std::nullopt;
  return layout;
}

std::uint32_t vhd_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return static_cast<std::uint32_t>(std::max<std::int64_t>(0, seconds - vhd_epoch));
}

std::optional<std::uint32_t> vhd_timestamp_of(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  return static_cast<std::uint32_t>(std::max<std::int64_t>(0, status.st_mtime - vhd_epoch));
}

}  // namespace diskimg::vhd
