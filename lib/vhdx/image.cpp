#include "core/arithmetic.hpp"
#include "core/parent_paths.hpp"
#include "vhdx/block_map.hpp"
#include "vhdx/layout.hpp"
#include "vhdx/merge_marker.hpp"
#include "vhdx/sector_bitmaps.hpp"
#include "vhdx/vhdx_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhdx/image.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace diskimg::vhdx {
namespace {

// Chains deeper than this are taken to be loops or hostile.
constexpr std::size_t max_chain_depth = 64;


// Where a differencing disk's parent may be, best first (2.6.2.6.3: relative_path, then
// volume_path, then absolute_win32_path; here a Windows absolute path rarely resolves, so
// each path's file name beside the child is tried too).
std::vector<std::filesystem::path> parent_candidates(const std::filesystem::path& child, const MetadataInfo& metadata) {
  const std::filesystem::path directory = child.parent_path();
  std::vector<std::filesystem::path> candidates;
  for (const char* key : {"relative_path", "volume_path", "absolute_win32_path"}) {
    const std::optional<std::string> value = metadata.locator(key);
    if (!value || value->empty()) continue;
    const std::filesystem::path path = from_windows(*value);
    candidates.push_back(path.is_absolute() ? path : directory / path);
  }
  for (const char* key : {"relative_path", "volume_path", "absolute_win32_path"}) {
    const std::optional<std::string> value = metadata.locator(key);
    if (value && !value->empty()) candidates.push_back(directory / from_windows(*value).filename());
  }
  return without_repeats(candidates);
}

std::optional<Guid> linkage_guid(const std::string& text) { return Guid::parse(text); }

}  // namespace

// The files a chain has opened so far, by path and by file identity (hard links, bind
// mounts), each found before the file's BAT is read.
struct ChainVisit {
  std::vector<std::filesystem::path> paths;
  std::vector<FileIdentity> files;
  std::optional<Guid> merge_marker;  // the first file may carry it: the merge that finishes it opens it

  void enter(const ByteSource& file, const std::filesystem::path& path) {
    const auto loops = [&] {
      return FormatError(fmt::format("vhdx: {}: the differencing chain loops back to it", path.string()),
                         {path.string(), std::nullopt});
    };
    std::error_code error;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
    if (std::find(paths.begin(), paths.end(), canonical) != paths.end()) throw loops();
    if (const auto* opened = dynamic_cast<const FileSource*>(&file)) {
      if (std::find(files.begin(), files.end(), opened->identity()) != files.end()) throw loops();
      files.push_back(opened->identity());
    }
    if (paths.size() >= max_chain_depth) {
      throw FormatError(fmt::format("vhdx: {}: differencing chain deeper than {}", path.string(), max_chain_depth),
                        {path.string(), std::nullopt});
    }
    paths.push_back(canonical);
  }
};

bool looks_like_vhdx(const ByteSource& file) { return has_vhdx_signature(file); }

VhdxImage::VhdxImage() = default;
VhdxImage::~VhdxImage() = default;

std::shared_ptr<const VhdxImage> VhdxImage::open(const std::filesystem::path& path) {
  ChainVisit visit;
  return open_chain(std::make_shared<FileSource>(path), path, visit);
}

std::shared_ptr<const VhdxImage> VhdxImage::open(SourcePtr file, const std::filesystem::path& path) {
  ChainVisit visit;
  return open_chain(std::move(file), path, visit);
}

std::shared_ptr<const VhdxImage> VhdxImage::open_merging(const std::filesystem::path& path, const Guid& marker) {
  ChainVisit visit;
  visit.merge_marker = marker;
  return open_chain(std::make_shared<FileSource>(path), path, visit);
}

std::shared_ptr<const VhdxImage> VhdxImage::open_chain(SourcePtr file, const std::filesystem::path& path,
                                                       ChainVisit& visit) {
  visit.enter(*file, path);
  std::vector<Problem> problems;
  std::optional<Layout> layout = read_layout(file, problems);
  if (layout) check_blocks(*layout, problems);
  const bool fatal = std::any_of(problems.begin(), problems.end(), [](const Problem& p) { return p.fatal; });
  if (!layout || fatal) {
    const Problem problem = first_fatal(problems);
    throw FormatError(fmt::format("vhdx: {}: {}", path.string(), problem.message), in_file(path, problem.where));
  }
  // A parent a merge was interrupted in reads right only through the child being merged
  // (open_parent accepts it there); alone, only the merge that finishes it opens it.
  if (visit.paths.size() == 1 && is_merge_marker(layout->header.data_write_guid) &&
      visit.merge_marker != layout->header.data_write_guid) {
    throw FormatError(fmt::format("vhdx: {}: a merge of a differencing child into this file was interrupted: it "
                                  "reads right only through that child; merging that child again finishes it",
                                  path.string()),
                      {path.string() + ": header", std::nullopt});
  }
  std::shared_ptr<VhdxImage> image(new VhdxImage());
  image->path_ = path;
  image->file_ = layout->file;
  image->header_ = layout->header;
  image->metadata_ = layout->metadata;
  image->type_ = layout->type;
  image->replay_ = layout->replay;
  image->block_size_ = layout->geometry.block_size;
  image->chunk_ratio_ = layout->geometry.chunk_ratio;
  for (const Problem& problem : problems) {
    image->warnings_.emplace_back(in_file(path, problem.where), fmt::format("vhdx: {}: {}", path.string(), problem.message));
  }
  if (layout->replay) {
    image->warnings_.emplace_back(Location{path.string() + ": log", layout->header.log_offset},
                                  fmt::format("vhdx: {}: the file was not closed cleanly: {} log entries ({} sectors) "
                                              "replayed in memory, the file itself unchanged",
                                              path.string(), layout->replay->entries, layout->replay->sectors));
  }
  auto blocks = std::make_unique<BlockMap>(layout->geometry.block_size);
  std::map<std::uint64_t, std::uint64_t> bitmap_blocks;
  const std::uint64_t group = layout->geometry.chunk_ratio + 1;
  for_each_bat_entry(*layout, [&](std::uint64_t index, BatEntry entry) {
    if (index % group == layout->geometry.chunk_ratio) {
      if (entry.state == disk::bitmap_present) bitmap_blocks[index / group] = entry.offset;
      return;
    }
    const std::uint64_t block = index / group * layout->geometry.chunk_ratio + index % group;
    if (block < layout->geometry.payload_blocks) blocks->add(block, {entry.state, entry.offset});
  });
  image->blocks_ = std::move(blocks);
  image->bitmaps_ = std::make_unique<SectorBitmaps>(image->file_, std::move(bitmap_blocks),
                                                    image->block_size_ / image->metadata_.logical_sector_size,
                                                    image->chunk_ratio_);
  if (image->type_ == VhdxType::differencing) image->open_parent(visit);
  return image;
}

void VhdxImage::open_parent(ChainVisit& visit) {
  const std::optional<std::string> linkage = metadata_.locator("parent_linkage");
  const std::optional<std::string> linkage2 = metadata_.locator("parent_linkage2");
  const Location where{path_.string() + ": parent locator", std::nullopt};
  if (!linkage) throw FormatError(fmt::format("vhdx: {}: the parent locator has no parent_linkage", path_.string()), where);
  std::vector<std::filesystem::path> tried;
  for (const std::filesystem::path& candidate : parent_candidates(path_, metadata_)) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(candidate, error)) {
      tried.push_back(candidate);
      continue;
    }
    parent_ = open_chain(std::make_shared<FileSource>(candidate), candidate, visit);
    const Guid written = parent_->header().data_write_guid;
    if (written == merge_marker(header_.data_write_guid)) {
      warnings_.emplace_back(Location{candidate.string() + ": header", std::nullopt},
                             fmt::format("vhdx: a merge of {} into {} was interrupted: the parent reads right only "
                                         "through this child; merging {} again finishes it",
                                         path_.string(), candidate.string(), path_.string()));
    } else if (written == merged_marker(header_.data_write_guid)) {
      warnings_.emplace_back(Location{candidate.string() + ": header", std::nullopt},
                             fmt::format("vhdx: {} is merged into {} already (it reads the same through this child); "
                                         "merging {} again removes it", path_.string(), candidate.string(),
                                         path_.string()));
    } else if (linkage_guid(*linkage) != written && (!linkage2 || linkage_guid(*linkage2) != written)) {
      throw FormatError(fmt::format("vhdx: {} was made from a parent whose DataWriteGuid was {}, but {} has {}: the "
                                    "parent was written to since, and the child no longer reads right over it",
                                    path_.string(), *linkage, candidate.string(), written.to_string()),
                        where);
    }
    if (parent_->size() != size() || parent_->sector_size() != sector_size()) {
      throw FormatError(fmt::format("vhdx: {} ({} bytes, {}-byte sectors) and its parent {} ({} bytes, {}-byte "
                                    "sectors) differ", path_.string(), size(), sector_size(), candidate.string(),
                                    parent_->size(), parent_->sector_size()),
                        where);
    }
    return;
  }
  std::string list;
  for (const auto& candidate : tried) list += "\n  " + candidate.string();
  throw NotFoundError(fmt::format("vhdx: {}: parent not found; looked for:{}", path_.string(), list), where);
}

std::vector<std::filesystem::path> VhdxImage::chain() const {
  std::vector<std::filesystem::path> files;
  for (const VhdxImage* image = this; image != nullptr; image = image->parent_.get()) files.push_back(image->path_);
  return files;
}

Warnings VhdxImage::warnings() const {
  Warnings all = warnings_;
  if (parent_) {
    const Warnings inherited = parent_->warnings();
    all.insert(all.end(), inherited.begin(), inherited.end());
  }
  return all;
}

bool VhdxImage::block_allocated(std::uint64_t offset) const {
  const std::uint8_t state = blocks_->at(offset / block_size_).state;
  return state == disk::payload_fully_present || state == disk::payload_partially_present;
}

bool VhdxImage::block_decided(std::uint64_t offset) const {
  const std::uint8_t state = blocks_->at(offset / block_size_).state;
  return state == disk::payload_fully_present || state == disk::payload_partially_present ||
         state == disk::payload_zero || state == disk::payload_unmapped;
}

bool VhdxImage::block_present(std::uint64_t offset) const {
  const std::uint8_t state = blocks_->at(offset / block_size_).state;
  if (state == disk::payload_fully_present || state == disk::payload_partially_present) return true;
  if (state == disk::payload_zero || state == disk::payload_unmapped) return false;
  return parent_ && parent_->block_present(offset);
}

std::uint64_t VhdxImage::next_data(std::uint64_t offset) const {
  for (std::uint64_t at = offset; at < size();) {
    if (block_present(at)) return at;
    const std::uint64_t block = at / block_size_ + 1;
    // Without a parent, skip to the next block the map lists at all.
    const std::uint64_t next = parent_ ? block : blocks_->next_listed(block, ceil_div(size(), block_size_));
    at = next * block_size_;
  }
  return size();
}

std::uint64_t VhdxImage::next_hole(std::uint64_t offset) const {
  for (std::uint64_t at = offset; at < size(); at = (at / block_size_ + 1) * block_size_) {
    if (!block_present(at)) return at;
  }
  return size();
}

void VhdxImage::from_parent_or_zero(std::uint64_t offset, std::span<std::byte> buffer) const {
  if (parent_) {
    parent_->read(offset, buffer);
  } else {
    std::fill(buffer.begin(), buffer.end(), std::byte{0});
  }
}

void VhdxImage::will_need(std::uint64_t offset, std::uint64_t length) const {
  if (offset >= size()) return;
  length = std::min(length, size() - offset);
  while (length > 0) {
    const std::uint64_t within = offset % block_size_;
    const std::uint64_t piece = std::min(length, block_size_ - within);
    const BlockState state = blocks_->at(offset / block_size_);
    if (state.state == disk::payload_fully_present || state.state == disk::payload_partially_present) {
      file_->will_need(state.offset + within, piece);
    } else if (state.state != disk::payload_zero && state.state != disk::payload_unmapped && parent_) {
      parent_->will_need(offset, piece);
    }
    offset += piece;
    length -= piece;
  }
}

void VhdxImage::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  while (!buffer.empty()) {
    const std::uint64_t within = offset % block_size_;
    const auto piece = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), block_size_ - within));
    read_block_range(offset, buffer.first(piece));
    buffer = buffer.subspan(piece);
    offset += piece;
  }
}

// Bytes inside one payload block, by its state (2.5.1.1). A differencing disk reads its
// parent where the block is not present (or undefined: the parent's bytes are what the
// block held before); ZERO and UNMAPPED read as zeros everywhere.
void VhdxImage::read_block_range(std::uint64_t offset, std::span<std::byte> buffer) const {
  const std::uint64_t block = offset / block_size_;
  const std::uint64_t within = offset % block_size_;
  const BlockState state = blocks_->at(block);
  switch (state.state) {
    case disk::payload_fully_present:
      file_->read(state.offset + within, buffer);
      return;
    case disk::payload_partially_present:
      break;
    case disk::payload_zero:
    case disk::payload_unmapped:
      std::fill(buffer.begin(), buffer.end(), std::byte{0});
      return;
    default:
      from_parent_or_zero(offset, buffer);
      return;
  }
  const std::vector<std::byte> bits = bitmaps_->of_block(block);
  const std::uint64_t sector_size = metadata_.logical_sector_size;
  while (!buffer.empty()) {
    const std::uint64_t at = offset % block_size_;
    const std::uint64_t sector = at / sector_size;
    const bool here = sector_bit(bits, sector);
    std::uint64_t end = std::min<std::uint64_t>(at + buffer.size(), (sector + 1) * sector_size);
    while (end < at + buffer.size() && sector_bit(bits, end / sector_size) == here) {
      end = std::min<std::uint64_t>(at + buffer.size(), (end / sector_size + 1) * sector_size);
    }
    const auto piece = buffer.first(static_cast<std::size_t>(end - at));
    if (here) {
      file_->read(state.offset + at, piece);
    } else {
      from_parent_or_zero(offset, piece);
    }
    buffer = buffer.subspan(piece.size());
    offset += piece.size();
  }
}

}  // namespace diskimg::vhdx
