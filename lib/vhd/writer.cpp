#include "core/arithmetic.hpp"
#include "core/created_file.hpp"
#include "core/load.hpp"
#include "core/sector_reads.hpp"
#include "core/utf.hpp"
#include "vhd/bitmap_cache.hpp"
#include "vhd/layout.hpp"
#include "vhd/sector_bitmap.hpp"
#include "vhd/vhd_structures.hpp"

#include <diskimg/core/bytes.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhd/writer.hpp>

#include <algorithm>
#include <limits>
#include <bit>

#include <fmt/format.h>

namespace diskimg::vhd {
namespace {

constexpr std::uint64_t header_offset = 512;
constexpr std::uint64_t table_offset = 1536;
constexpr std::uint32_t locator_space = 1024;  // bytes reserved for each locator's path
// Bitmaps kept in memory: enough for a run of sequential writes and the blocks around them,
// bounded (one per allocated block would be 256 MiB for a full 2 TiB disk).
constexpr std::size_t bitmap_cache_slots = 256;

// For sizes the writer itself computes (tables, bitmaps, locators), far from 2^64.
std::uint64_t round_up(std::uint64_t value, std::uint64_t unit) { return ceil_div(value, unit) * unit; }

// The disk's size in whole sectors; a size so close to 2^64 that rounding it up wraps is
// no size a VHD can have.
std::uint64_t sector_rounded_size(std::uint64_t size) {
  const std::optional<std::uint64_t> rounded = checked_round_up(size, 512);
  if (!rounded || *rounded > std::numeric_limits<std::uint64_t>::max() - 512) {
    throw UsageError(fmt::format("vhd: {} bytes is more than a VHD can hold", size));
  }
  return *rounded;
}

std::string windows_path(const std::filesystem::path& path) {
  std::string text = path.string();
  std::replace(text.begin(), text.end(), '/', '\\');
  return text;
}

void check_options(const CreateOptions& options) {
  if (options.type != VhdType::differencing && options.size == 0) {
    throw UsageError("vhd: a size is required (and must not be 0)");
  }
  const std::uint64_t size = options.type == VhdType::differencing ? 0 : sector_rounded_size(options.size);
  if (options.type == VhdType::dynamic && size > max_dynamic_size) {
    throw UsageError(fmt::format("vhd: {} bytes exceed the 2040 GiB a dynamic or differencing "
                                 "VHD can hold (its BAT holds 32-bit sector offsets)", options.size));
  }
  if (options.type != VhdType::fixed &&
      (options.block_size < min_block_size || options.block_size > max_block_size ||
       !std::has_single_bit(options.block_size))) {
    throw UsageError(fmt::format("vhd: block size {} is not a power of two from 512 KiB to "
                                 "256 MiB", options.block_size));
  }
}

}  // namespace

std::unique_ptr<VhdWriter> VhdWriter::create(const std::filesystem::path& path,
                                             const CreateOptions& options) {
  check_options(options);
  if (options.type == VhdType::differencing &&
      VhdImage::open(options.parent)->size() > max_dynamic_size) {  // fail before the file exists
    throw UsageError(fmt::format("vhd: {} is larger than the 2040 GiB a differencing VHD can "
                                 "hold", options.parent.string()));
  }
  const auto permissions =
      image_permissions(options.permissions, options.type == VhdType::differencing, options.parent);
  return fill_made_file(path, std::make_unique<FileSink>(path, FileSink::Mode::create_new, permissions),
                        [&](std::unique_ptr<FileSink> sink) { return create(std::move(sink), path, options); });
}

std::unique_ptr<VhdWriter> VhdWriter::create(std::unique_ptr<ByteSink> sink,
                                             const std::filesystem::path& path,
                                             const CreateOptions& options) {
  check_options(options);
  std::unique_ptr<VhdWriter> writer(new VhdWriter());
  writer->sink_ = std::move(sink);
  CreateOptions effective = options;
  if (options.type == VhdType::differencing) {
    writer->parent_ = VhdImage::open(options.parent);
    effective.size = writer->parent_->size();
    if (writer->parent_->header()) effective.block_size = writer->parent_->header()->block_size;
  }
  const std::uint64_t size = sector_rounded_size(effective.size);
  if (options.type != VhdType::fixed && size > max_dynamic_size) {
    throw UsageError(fmt::format("vhd: {} bytes exceed the 2040 GiB a dynamic or differencing "
                                 "VHD can hold (its BAT holds 32-bit sector offsets)", size));
  }
  FooterInfo& footer = writer->footer_;
  footer.features = 2;
  footer.format_version = 0x00010000;
  footer.data_offset = options.type == VhdType::fixed ? ~std::uint64_t{0} : header_offset;
  footer.timestamp = vhd_timestamp_now();
  footer.creator_application = "win ";
  footer.creator_version = 0x000A0000;
  footer.creator_host_os = disk::fourcc("Wi2k");
  footer.original_size = footer.current_size = size;
  footer.geometry = writer->parent_ ? writer->parent_->footer().geometry : chs_geometry(size / 512);
  footer.type = options.type;
  footer.unique_id = Guid::random();
  writer->block_size_ = effective.block_size;
  writer->write_metadata(path, effective);
  return writer;
}

void VhdWriter::write_metadata(const std::filesystem::path& path, const CreateOptions& options) {
  const std::vector<std::byte> footer = encode_footer(footer_);
  if (footer_.type == VhdType::fixed) {
    sink_->write(footer_.current_size, footer);  // the data before it reads as zeros
    return;
  }
  const std::uint32_t entries =
      static_cast<std::uint32_t>((footer_.current_size + block_size_ - 1) / block_size_);
  bat_.assign(entries, disk::unallocated);
  bitmap_bytes_ = static_cast<std::uint32_t>(round_up((block_size_ / 512 + 7) / 8, 512));
  table_offset_ = table_offset;
  std::uint64_t next = round_up(table_offset + std::uint64_t{entries} * 4, 512);

  disk::DynamicHeader header{};
  std::copy_n("cxsparse", 8, header.cookie.begin());
  header.data_offset = ~std::uint64_t{0};
  header.table_offset = table_offset;
  header.header_version = 0x00010000;
  header.max_table_entries = entries;
  header.block_size = block_size_;
  std::vector<std::pair<std::uint64_t, std::vector<std::byte>>> locator_data;
  if (parent_) {
    header.parent_unique_id = parent_->footer().unique_id.to_big_endian();
    header.parent_timestamp = vhd_timestamp_of(options.parent).value_or(0);
    const std::filesystem::path absolute = std::filesystem::absolute(options.parent);
    const std::u16string name = utf8_to_utf16(windows_path(absolute));
    for (std::size_t i = 0; i < name.size() && i < header.parent_name.size(); ++i) {
      header.parent_name[i] = name[i];
    }
    const std::filesystem::path child_directory = std::filesystem::absolute(path).parent_path();
    std::filesystem::path relative = std::filesystem::relative(absolute, child_directory);
    const std::string relative_text =
        (relative.has_parent_path() ? "" : ".\\") + windows_path(relative);
    const std::pair<std::uint32_t, std::string> locators[] = {
        {disk::locator_w2ku, windows_path(absolute)}, {disk::locator_w2ru, relative_text}};
    for (std::size_t i = 0; i < 2; ++i) {
      std::vector<std::byte> data = utf8_to_utf16le(locators[i].second);
      const std::uint32_t space = static_cast<std::uint32_t>(round_up(std::max<std::size_t>(data.size(), locator_space), 512));
      disk::ParentLocator& locator = header.parent_locators[i];
      locator.platform_code = locators[i].first;
      locator.data_space = space;  // bytes, as Hyper-V writes it (docs/vhd.md)
      locator.data_length = static_cast<std::uint32_t>(data.size());
      locator.data_offset = next;
      data.resize(space, std::byte{0});
      locator_data.emplace_back(next, std::move(data));
      next += space;
    }
  }
  std::vector<std::byte> header_bytes(sizeof(disk::DynamicHeader));
  store(header, header_bytes, 0, "dynamic header");
  header.checksum = disk::checksum_of(header_bytes, disk::header_checksum_offset);
  store(header, header_bytes, 0, "dynamic header");

  // Metadata first, the footers last: a file cut short before them is not a VHD at all.
  sink_->write(header_offset, header_bytes);
  std::vector<std::byte> table(round_up(std::uint64_t{entries} * 4, 512), std::byte{0xFF});
  sink_->write(table_offset, table);
  for (const auto& [offset, data] : locator_data) sink_->write(offset, data);
  next_block_ = next;
  sink_->write(next_block_, footer);
  sink_->write(0, footer);
}

std::unique_ptr<VhdWriter> VhdWriter::open_existing(const std::filesystem::path& path,
                                                    std::optional<Guid> merging_child) {
  std::vector<Problem> problems;
  std::optional<Layout> layout;
  {
    const FileSource file(path);
    layout = read_layout(file, problems);
  }
  if (!layout) {
    const auto fatal = std::find_if(problems.begin(), problems.end(), [](const Problem& p) { return p.fatal; });
    throw FormatError(fmt::format("vhd: {}: not a sound VHD to write into: {}", path.string(),
                                  fatal == problems.end() ? "unusable" : fatal->message),
                      {path.string() + ": footer", std::nullopt});
  }
  if (layout->footer.merging_child && layout->footer.merging_child != merging_child) {
    throw FormatError(fmt::format("vhd: {}: a merge of the differencing disk with unique ID {} into this "
                                  "file was interrupted; only that merge may write into it", path.string(),
                                  layout->footer.merging_child->to_string()),
                      {path.string() + ": footer", std::nullopt});
  }
  std::unique_ptr<VhdWriter> writer(new VhdWriter());
  writer->sink_ = std::make_unique<FileSink>(path, FileSink::Mode::open_existing);
  writer->footer_ = layout->footer;
  if (layout->footer.type == VhdType::differencing) {
    writer->parent_ = VhdImage::open(path, merging_child)->parent();
  }
  if (layout->header) {
    writer->block_size_ = layout->header->block_size;
    writer->table_offset_ = layout->header->table_offset;
    writer->bat_ = layout->bat;
    writer->bitmap_bytes_ = layout->bitmap_bytes;
    // New blocks go where the footer is, on a sector boundary: in a file whose size is not
    // whole sectors they went between two sectors, where no BAT entry can point.
    writer->next_block_ = ceil_div(layout->file_size - 512, 512) * 512;
    if (layout->footer_from_copy) writer->repair_end_footer(layout->used_end);
  }
  return writer;
}

// The end footer is gone or torn (a writer stopped while moving it) and the copy at offset
// 0 stands in: the footer goes back where the structures and blocks end, and whatever a
// stopped allocation left past that is cut off.
void VhdWriter::repair_end_footer(std::uint64_t used_end) {
  if (used_end > sink_->size()) {
    throw FormatError(fmt::format("vhd: {}: its blocks run to offset {:#x}, past its end at {:#x}: the "
                                  "file was cut short and cannot be repaired", sink_->name(), used_end,
                                  sink_->size()),
                      {sink_->name(), used_end});
  }
  sink_->write(used_end, encode_footer(footer_));
  sink_->resize(used_end + 512);
  sink_->sync();
  next_block_ = used_end;
}

void VhdWriter::begin_merge(const Guid& child) {
  footer_.merging_child = child;
  write_both_footers();
}

void VhdWriter::end_merge() {
  footer_.merging_child.reset();
  write_both_footers();
}

// The end footer first, then the copy at 0, then both durable: a merge's mark is set and
// cleared in the footer readers use first.
void VhdWriter::write_both_footers() {
  const std::vector<std::byte> footer = encode_footer(footer_);
  sink_->write(footer_.type == VhdType::fixed ? footer_.current_size : next_block_, footer);
  if (footer_.type != VhdType::fixed) sink_->write(0, footer);
  sink_->sync();
}

std::uint64_t VhdWriter::block_offset(std::uint32_t block) const {
  return std::uint64_t{bat_[block]} * 512;
}

VhdWriter::VhdWriter() : bitmaps_(std::make_unique<BitmapCache>(bitmap_cache_slots)) {}

VhdWriter::~VhdWriter() = default;

// The file's bitmap of an allocated block: the cache holds it only once the file does.
std::vector<std::byte> VhdWriter::bitmap(std::uint32_t block) const {
  return bitmaps_->get(block, [&] {
    std::vector<std::byte> bytes(bitmap_bytes_);
    sink_->read(block_offset(block), bytes);
    return bytes;
  });
}

void VhdWriter::read_current(std::uint64_t offset, std::span<std::byte> buffer) {
  // Only whole sectors inside one block are asked for.
  const auto block = static_cast<std::uint32_t>(offset / block_size_);
  const std::uint64_t within = offset % block_size_;
  const std::vector<std::byte> bits = bat_[block] != disk::unallocated ? bitmap(block) : std::vector<std::byte>{};
  for (std::size_t done = 0; done < buffer.size(); done += 512) {
    const std::uint64_t sector = (within + done) / 512;
    const auto out = buffer.subspan(done, 512);
    const bool here = !bits.empty() && sector_present(bits, sector);
    if (here) {
      sink_->read(block_offset(block) + bitmap_bytes_ + within + done, out);
    } else if (parent_) {
      parent_->read(offset + done, out);
    } else {
      std::fill(out.begin(), out.end(), std::byte{0});
    }
  }
}

void VhdWriter::read(std::uint64_t offset, std::span<std::byte> buffer) {
  if (offset > size() || buffer.size() > size() - offset) {
    throw UsageError(fmt::format("vhd: read of {} bytes at offset {:#x} runs past the disk ({} bytes)",
                                 buffer.size(), offset, size()));
  }
  if (footer_.type == VhdType::fixed) {
    sink_->read(offset, buffer);
    return;
  }
  read_by_sectors(offset, buffer, 512, block_size_,
                  [&](std::uint64_t at, std::span<std::byte> whole) { read_current(at, whole); });
}

void VhdWriter::write(std::uint64_t offset, std::span<const std::byte> data) {
  if (offset > size() || data.size() > size() - offset) {
    throw UsageError(fmt::format("vhd: write of {} bytes at offset {:#x} runs past the disk "
                                 "({} bytes)", data.size(), offset, size()));
  }
  if (broken_) {
    throw IoError(fmt::format("vhd: {}: an earlier failed write could not be undone; no more "
                              "writes (a check tells what the file holds)", sink_->name()));
  }
  if (footer_.type == VhdType::fixed) {
    sink_->write(offset, data);
    return;
  }
  // Whole sectors, one block at a time; partial sectors merge with what is there.
  while (!data.empty()) {
    const auto block = static_cast<std::uint32_t>(offset / block_size_);
    const std::uint64_t within = offset % block_size_;
    const std::uint64_t first_sector = within / 512 * 512;
    const std::uint64_t end = std::min<std::uint64_t>(block_size_, within + data.size());
    const std::uint64_t last_sector = round_up(end, 512);
    const std::size_t piece = static_cast<std::size_t>(end - within);
    if (first_sector == within && last_sector == end) {
      write_block_piece(block, within, data.first(piece));
    } else {
      std::vector<std::byte> sectors(last_sector - first_sector);
      read_current(offset - (within - first_sector), sectors);
      std::copy_n(data.begin(), piece, sectors.begin() + static_cast<std::ptrdiff_t>(within - first_sector));
      write_block_piece(block, first_sector, sectors);
    }
    data = data.subspan(piece);
    offset += piece;
  }
}

void VhdWriter::write_block_piece(std::uint32_t block, std::uint64_t within,
                                  std::span<const std::byte> data) {
  if (bat_[block] == disk::unallocated) {
    if (is_all_zero(data)) {
      if (!parent_) return;  // reads as zeros already
      std::vector<std::byte> below(data.size());
      parent_->read(std::uint64_t{block} * block_size_ + within, below);
      if (is_all_zero(below)) return;  // the parent reads as zeros there too
    }
    allocate_block(block, within, data);
    return;
  }
  sink_->write(block_offset(block) + bitmap_bytes_ + within, data);
  // The cached bitmap changes only once the file's has: a failed write leaves it as it was.
  const std::vector<std::byte> cached = bitmap(block);
  std::vector<std::byte> bits = cached;
  mark_sectors(bits, within / 512, (within + data.size()) / 512);
  if (bits != cached) {
    sink_->write(block_offset(block), bits);
    bitmaps_->put(block, std::move(bits));
  }
}

// The order that keeps an interrupted writer safe: data, bitmap, BAT entry, footer. Until
// the BAT entry is written nothing points at the new block; until the footer follows it,
// the file ends inside the block and the BAT entry points past the end (check says so).
// A write that fails leaves the writer as it was: the BAT entry, if written, is taken back,
// and only then do the BAT, the next block's place and the bitmap cache change in memory.
// The next allocation takes the same place, after clearing what this one left there.
void VhdWriter::allocate_block(std::uint32_t block, std::uint64_t within,
                               std::span<const std::byte> data) {
  const std::uint64_t start = next_block_;
  if (start / 512 >= disk::unallocated) {
    throw UsageError("vhd: the file has grown past what 32-bit BAT entries address");
  }
  const auto sector = static_cast<std::uint32_t>(start / 512);
  const std::uint64_t end = start + bitmap_bytes_ + block_size_;
  std::vector<std::byte> bits = new_block_bitmap(block, within, data.size());
  clear_leftovers(start);
  // The footer moves first, to where the new block ends: from then on the file ends in a
  // sound footer whatever happens, and the block is unreferenced space until its BAT entry
  // is written, last.
  sink_->write(end, encode_footer(footer_));
  sink_->write(start + bitmap_bytes_ + within, data);
  sink_->write(start, bits);
  try {
    write_bat_entry(block, sector);
  } catch (...) {
    take_back_bat_entry(block);
    throw;
  }
  bat_[block] = sector;
  next_block_ = end;
  bitmaps_->put(block, std::move(bits));
}

// A differencing disk marks just the sectors written; the rest come from the parent. A
// dynamic disk marks every sector of the block inside the disk, as qemu does: the sectors
// not written read as zeros from the data area, as they would through a clear bit, and
// libvhdi (20210425) returns zeros for data that a read reaches after crossing clear bits.
std::vector<std::byte> VhdWriter::new_block_bitmap(std::uint32_t block, std::uint64_t within,
                                                   std::uint64_t length) const {
  std::vector<std::byte> bits(bitmap_bytes_, std::byte{0});
  const std::uint64_t block_sectors =
      std::min<std::uint64_t>(block_size_, size() - std::uint64_t{block} * block_size_) / 512;
  const std::uint64_t first = parent_ ? within / 512 : 0;
  const std::uint64_t last = parent_ ? (within + length) / 512 : block_sectors;
  mark_sectors(bits, first, last);
  return bits;
}

// The file normally ends with the footer at `start`. Past it lies only what a failed
// allocation wrote; a dynamic disk's bitmap marks the whole block, so those bytes would
// read as the new block's data: they become zeros again first.
void VhdWriter::clear_leftovers(std::uint64_t start) {
  const std::uint64_t data_start = start + bitmap_bytes_;
  const std::uint64_t leftovers_end = std::min(sink_->size(), data_start + block_size_);
  if (leftovers_end <= data_start) return;
  const std::vector<std::byte> zeros(leftovers_end - data_start);
  sink_->write(data_start, zeros);
}

void VhdWriter::write_bat_entry(std::uint32_t block, std::uint32_t sector) {
  std::array<std::byte, 4> entry{};
  store(boost::endian::big_uint32_buf_t(sector), entry, 0, "BAT entry");
  sink_->write(table_offset_ + std::uint64_t{block} * 4, entry);
}

// A BAT entry that may point at the place the next allocation reuses is written back to
// unallocated. Should that fail too, the file may hold two entries for one place later:
// the writer takes no more writes.
void VhdWriter::take_back_bat_entry(std::uint32_t block) noexcept {
  try {
    write_bat_entry(block, disk::unallocated);
  } catch (...) {
    broken_ = true;
  }
}

void VhdWriter::sync() { sink_->sync(); }

}  // namespace diskimg::vhd
