#include "core/arithmetic.hpp"
#include "core/created_file.hpp"
#include "core/load.hpp"
#include "core/sector_reads.hpp"
#include "vhdx/file_update.hpp"
#include "vhdx/layout.hpp"
#include "vhdx/log.hpp"
#include "vhdx/merge_marker.hpp"
#include "vhdx/new_file.hpp"
#include "vhdx/vhdx_structures.hpp"

#include <diskimg/core/bytes.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace diskimg::vhdx {
namespace {

// A commit's log entry must fit the 1 MiB log with room to spare: metadata sectors gather
// up to this many before a write commits them (a block's write adds at most 18).
constexpr std::size_t commit_threshold = 200;

bool reads_from_parent(std::uint8_t state) {
  return state == disk::payload_not_present || state == disk::payload_undefined;
}

}  // namespace

VhdxWriter::VhdxWriter() = default;
VhdxWriter::~VhdxWriter() = default;

std::unique_ptr<VhdxWriter> VhdxWriter::create(const std::filesystem::path& path, const CreateOptions& options) {
  check_create_options(options);
  const auto permissions =
      image_permissions(options.permissions, options.type == VhdxType::differencing, options.parent);
  return fill_made_file(path, std::make_unique<FileSink>(path, FileSink::Mode::create_new, permissions),
                        [&](std::unique_ptr<FileSink> sink) { return create(std::move(sink), path, options); });
}

std::unique_ptr<VhdxWriter> VhdxWriter::create(std::unique_ptr<ByteSink> sink, const std::filesystem::path& path,
                                               const CreateOptions& options) {
  check_create_options(options);
  std::unique_ptr<VhdxWriter> writer(new VhdxWriter());
  writer->sink_ = std::move(sink);
  NewFile plan = plan_new_file(path, options);
  writer->parent_ = plan.parent;
  write_new_file(*writer->sink_, plan);
  writer->type_ = options.type;
  writer->size_ = plan.metadata.virtual_size;
  writer->block_size_ = plan.metadata.block_size;
  writer->logical_sector_size_ = plan.metadata.logical_sector_size;
  writer->chunk_ratio_ = plan.geometry.chunk_ratio;
  writer->bat_offset_ = plan.bat_offset;
  writer->header_ = plan.header;
  writer->file_end_ = plan.file_end;
  writer->data_start_ = plan.data_start;
  writer->bat_ = std::move(plan.bat);
  return writer;
}

std::unique_ptr<VhdxWriter> VhdxWriter::open_existing(const std::filesystem::path& path,
                                                     std::optional<Guid> allowed_marker) {
  std::vector<Problem> problems;
  std::optional<Layout> layout = read_layout(std::make_shared<FileSource>(path), problems);
  if (layout) check_blocks(*layout, problems);
  const auto fatal = std::find_if(problems.begin(), problems.end(), [](const Problem& p) { return p.fatal; });
  if (!layout || fatal != problems.end()) {
    throw FormatError(fmt::format("vhdx: {}: not a sound VHDX to write into: {}", path.string(),
                                  fatal == problems.end() ? "unusable" : fatal->message),
                      {path.string(), std::nullopt});
  }
  if (layout->header.log_length == 0) {
    throw FormatError(fmt::format("vhdx: {}: the file has no log, through which every change must go", path.string()),
                      {path.string() + ": header", std::nullopt});
  }
  // A file a merge was interrupted in changes only by that merge (merge_marker.hpp).
  if (is_merge_marker(layout->header.data_write_guid) && allowed_marker != layout->header.data_write_guid) {
    throw FormatError(fmt::format("vhdx: {}: a merge of a differencing child into this file was interrupted: only "
                                  "merging that child again may write it now", path.string()),
                      {path.string() + ": header", std::nullopt});
  }
  std::unique_ptr<VhdxWriter> writer(new VhdxWriter());
  writer->sink_ = std::make_unique<FileSink>(path, FileSink::Mode::open_existing);
  // The format requires a log to be replayed into the file before anything else changes;
  // a log named but holding no valid entries is dropped as the reader ignored it.
  writer->header_ = replay_into_file(*writer->sink_, *layout, path);
  if (!writer->header_.log_guid.is_zero()) {
    writer->header_.log_guid = Guid{};
    write_both_headers(*writer->sink_, writer->header_);
  }
  std::shared_ptr<const VhdxImage> chain;
  if (layout->type == VhdxType::differencing) {
    chain = allowed_marker ? VhdxImage::open_merging(path, *allowed_marker) : VhdxImage::open(path);
    // Its parent is being merged into or has been: writing this file would leave neither.
    const Guid parent_guid = chain->parent()->header().data_write_guid;
    if (parent_guid == merge_marker(layout->header.data_write_guid) ||
        parent_guid == merged_marker(layout->header.data_write_guid)) {
      throw FormatError(fmt::format("vhdx: {}: its merge into {} is not finished: merge {} again first",
                                    path.string(), chain->parent()->path().string(), path.string()),
                        {path.string(), std::nullopt});
    }
  }
  writer->type_ = layout->type;
  writer->size_ = layout->metadata.virtual_size;
  writer->block_size_ = layout->metadata.block_size;
  writer->logical_sector_size_ = layout->metadata.logical_sector_size;
  writer->chunk_ratio_ = layout->geometry.chunk_ratio;
  writer->bat_offset_ = layout->bat.offset;
  writer->bat_.reserve(static_cast<std::size_t>(layout->geometry.entries));
  std::uint64_t end = ceil_div(writer->sink_->size(), disk::MiB) * disk::MiB;
  for_each_bat_entry(*layout, [&](std::uint64_t index, BatEntry entry) {
    writer->bat_.push_back(encode_bat_entry(entry.state, entry.offset));
    const bool bitmap = index % (layout->geometry.chunk_ratio + 1) == layout->geometry.chunk_ratio;
    if (entry.state == disk::payload_fully_present || entry.state == disk::payload_partially_present ||
        (bitmap && entry.state == disk::bitmap_present)) {
      end = std::max(end, entry.offset + (bitmap ? disk::bitmap_block_size : layout->geometry.block_size));
    }
  });
  writer->file_end_ = end;
  if (chain) writer->parent_ = chain->parent();
  return writer;
}

// header_ written over the noncurrent header with the next sequence number and flushed,
// twice, so that both hold it (2.2.2.1).
void VhdxWriter::write_headers() { write_both_headers(*sink_, header_); }

// Before the session's first write changes a byte (2.2.2): a new FileWriteGuid, and a new
// DataWriteGuid, durably in both headers, so that a child made of the disk as it was no
// longer links to it, even when the write goes into blocks already allocated (no metadata,
// no log).
void VhdxWriter::begin_data_change() {
  if (data_changed_) return;
  header_.file_write_guid = Guid::random();
  header_.data_write_guid = Guid::random();
  write_headers();
  data_changed_ = true;
}

void VhdxWriter::begin_merge(const Guid& marker) {
  header_.file_write_guid = Guid::random();
  header_.data_write_guid = marker;
  write_headers();
  data_changed_ = true;
}

void VhdxWriter::end_merge(const Guid& merged) {
  commit();
  header_.data_write_guid = merged;
  write_headers();
}

// The first commit of a session: a new LogGuid in the headers, and the log written from its
// start.
void VhdxWriter::open_log() {
  header_.log_guid = Guid::random();
  write_headers();
  log_ = std::make_unique<LogWriter>(*sink_, LogPlace{header_.log_offset, header_.log_length, header_.log_guid}, 1);
}

std::vector<std::byte>& VhdxWriter::dirty_sector(std::uint64_t file_offset) {
  auto found = dirty_.find(file_offset);
  if (found == dirty_.end()) {
    std::vector<std::byte> sector(disk::log_sector);
    sink_->read(file_offset, sector);
    found = dirty_.emplace(file_offset, std::move(sector)).first;
  }
  return found->second;
}

void VhdxWriter::set_bat_entry(std::uint64_t index, std::uint64_t raw) {
  const std::uint64_t at = bat_offset_ + index * 8;
  std::vector<std::byte>& sector = dirty_sector(at / disk::log_sector * disk::log_sector);
  store(boost::endian::little_uint64_buf_t(raw), sector, at % disk::log_sector, "BAT entry");
  bat_[index] = raw;
}

// `length` bytes at the file's end, which read as zeros: what a stopped allocation left
// there is zeroed first.
std::uint64_t VhdxWriter::allocate(std::uint64_t length) {
  const std::uint64_t offset = file_end_;
  const std::uint64_t size = sink_->size();
  if (size > offset) write_zeros(*sink_, offset, offset + std::min(size - offset, length));
  file_end_ += length;
  return offset;
}

bool VhdxWriter::sector_present(std::uint64_t block, std::uint64_t sector) {
  const BatEntry bitmap = decode_bat_entry(bat_[bitmap_index(block / chunk_ratio_)]);
  const std::uint64_t bit = (block % chunk_ratio_) * (block_size_ / logical_sector_size_) + sector;
  const std::uint64_t at = bitmap.offset + bit / 8;
  const std::uint64_t sector_offset = at / disk::log_sector * disk::log_sector;
  std::array<std::byte, 1> byte{};
  if (const auto found = dirty_.find(sector_offset); found != dirty_.end()) {
    byte[0] = found->second[at - sector_offset];
  } else {
    sink_->read(at, byte);
  }
  return ((std::to_integer<unsigned>(byte[0]) >> (bit % 8)) & 1) != 0;
}

// The sectors [within, within + length) of a partially present block are here now: their
// bits are set in the chunk's sector bitmap (through the log, as metadata).
void VhdxWriter::mark_sectors(std::uint64_t block, std::uint64_t within, std::uint64_t length) {
  const BatEntry bitmap = decode_bat_entry(bat_[bitmap_index(block / chunk_ratio_)]);
  const std::uint64_t first_bit = (block % chunk_ratio_) * (block_size_ / logical_sector_size_);
  for (std::uint64_t sector = within / logical_sector_size_; sector < (within + length) / logical_sector_size_;
       ++sector) {
    const std::uint64_t bit = first_bit + sector;
    const std::uint64_t at = bitmap.offset + bit / 8;
    std::vector<std::byte>& bytes = dirty_sector(at / disk::log_sector * disk::log_sector);
    bytes[at % disk::log_sector] |= std::byte{static_cast<unsigned char>(1u << (bit % 8))};
  }
}

void VhdxWriter::read_current(std::uint64_t offset, std::span<std::byte> buffer) {
  // Whole logical sectors inside one block.
  const std::uint64_t block = offset / block_size_;
  const std::uint64_t within = offset % block_size_;
  const BatEntry entry = decode_bat_entry(bat_[payload_index(block)]);
  for (std::size_t done = 0; done < buffer.size(); done += logical_sector_size_) {
    const auto out = buffer.subspan(done, logical_sector_size_);
    const std::uint64_t at = within + done;
    const bool here = entry.state == disk::payload_fully_present ||
                      (entry.state == disk::payload_partially_present &&
                       sector_present(block, at / logical_sector_size_));
    if (here) {
      sink_->read(entry.offset + at, out);
    } else if (parent_ && (reads_from_parent(entry.state) || entry.state == disk::payload_partially_present)) {
      // A partially present block's other sectors are the parent's, as the reader reads them.
      parent_->read(offset + done, out);
    } else {
      std::fill(out.begin(), out.end(), std::byte{0});
    }
  }
}

void VhdxWriter::read(std::uint64_t offset, std::span<std::byte> buffer) {
  if (offset > size_ || buffer.size() > size_ - offset) {
    throw UsageError(fmt::format("vhdx: read of {} bytes at offset {:#x} runs past the disk ({} bytes)",
                                 buffer.size(), offset, size_));
  }
  read_by_sectors(offset, buffer, logical_sector_size_, block_size_,
                  [&](std::uint64_t at, std::span<std::byte> whole) { read_current(at, whole); });
}

void VhdxWriter::write(std::uint64_t offset, std::span<const std::byte> data) {
  if (offset > size_ || data.size() > size_ - offset) {
    throw UsageError(fmt::format("vhdx: write of {} bytes at offset {:#x} runs past the disk ({} bytes)",
                                 data.size(), offset, size_));
  }
  if (!data.empty()) begin_data_change();
  const std::uint64_t sector = logical_sector_size_;
  while (!data.empty()) {
    const std::uint64_t block = offset / block_size_;
    const std::uint64_t within = offset % block_size_;
    const std::uint64_t first = within / sector * sector;
    const std::uint64_t end = std::min<std::uint64_t>(block_size_, within + data.size());
    const std::uint64_t last = ceil_div(end, sector) * sector;
    const auto piece = static_cast<std::size_t>(end - within);
    if (first == within && last == end) {
      write_block_piece(block, within, data.first(piece));
    } else {
      std::vector<std::byte> sectors(last - first);
      read_current(offset - (within - first), sectors);
      std::copy_n(data.begin(), piece, sectors.begin() + static_cast<std::ptrdiff_t>(within - first));
      write_block_piece(block, first, sectors);
    }
    data = data.subspan(piece);
    offset += piece;
    if (dirty_.size() >= commit_threshold) commit();
  }
}

void VhdxWriter::write_block_piece(std::uint64_t block, std::uint64_t within, std::span<const std::byte> data) {
  const std::uint64_t index = payload_index(block);
  const BatEntry entry = decode_bat_entry(bat_[index]);
  if (entry.state == disk::payload_fully_present) {
    sink_->write(entry.offset + within, data);
    return;
  }
  if (entry.state == disk::payload_partially_present) {
    sink_->write(entry.offset + within, data);
    mark_sectors(block, within, data.size());
    return;
  }
  const bool from_parent = parent_ && reads_from_parent(entry.state);
  if (is_all_zero(data)) {
    if (!from_parent) return;  // reads as zeros already
    std::vector<std::byte> below(data.size());
    parent_->read(block * block_size_ + within, below);
    if (is_all_zero(below)) return;  // the parent reads as zeros there too
  }
  // The whole block's sectors are decided by this write unless the rest comes from the
  // parent: then only the written sectors are present.
  const bool whole = within == 0 && data.size() == std::min<std::uint64_t>(block_size_, size_ - block * block_size_);
  const bool partial = from_parent && !whole;
  if (partial && decode_bat_entry(bat_[bitmap_index(block / chunk_ratio_)]).state != disk::bitmap_present) {
    const std::uint64_t bitmap = allocate(disk::bitmap_block_size);
    set_bat_entry(bitmap_index(block / chunk_ratio_), encode_bat_entry(disk::bitmap_present, bitmap));
  }
  const std::uint64_t offset = allocate(block_size_);
  sink_->write(offset + within, data);
  if (partial) {
    set_bat_entry(index, encode_bat_entry(disk::payload_partially_present, offset));
    mark_sectors(block, within, data.size());
  } else {
    set_bat_entry(index, encode_bat_entry(disk::payload_fully_present, offset));
  }
}

void VhdxWriter::commit() {
  if (dirty_.empty()) {
    sink_->sync();
    return;
  }
  if (!log_) open_log();
  if (sink_->size() < file_end_) sink_->resize(file_end_);
  sink_->sync();  // the payload the new metadata points at, durable first
  log_->append(dirty_, file_end_, file_end_);
  for (const auto& [offset, sector] : dirty_) sink_->write(offset, sector);
  sink_->sync();
  dirty_.clear();
}

void VhdxWriter::close() {
  commit();
  if (!header_.log_guid.is_zero()) {
    header_.log_guid = Guid{};  // everything applied: nothing for a reader to replay
    write_headers();
    log_.reset();
  }
}

}  // namespace diskimg::vhdx
