#include "core/hex.hpp"
#include "core/parent_paths.hpp"
#include "vhd/bitmap_cache.hpp"
#include "vhd/block_table.hpp"
#include "vhd/layout.hpp"
#include "vhd/sector_bitmap.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vhd/image.hpp>

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace diskimg::vhd {
namespace {

// Chains deeper than this are taken to be loops or hostile.
constexpr std::size_t max_chain_depth = 64;
// Sector bitmaps kept per file: 256 slots of at most 64 KiB (256 MiB blocks), and in
// practice 256 bytes (512 KiB blocks) to 512 bytes (2 MiB).
constexpr std::size_t bitmap_cache_slots = 256;

// A Windows path as a path here: backslashes become slashes; a drive letter stays.
// A file URL's "%2F" escapes decoded; a '%' not followed by two hex digits stays as it is.
std::string percent_decoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::optional<unsigned char> escaped =
        text[i] == '%' ? hex_byte(std::string_view(text).substr(i + 1, 2)) : std::nullopt;
    if (escaped) {
      out.push_back(static_cast<char>(*escaped));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Where a differencing disk's parent may be, best first: W2ru relative to the child, W2ku
// absolute, MacX file URL, and finally the parent name in the child's directory (as
// libvhdi's vhdimount looks for it).
std::vector<std::filesystem::path> parent_candidates(const std::filesystem::path& child,
                                                     const HeaderInfo& header) {
  const std::filesystem::path directory = child.parent_path();
  std::vector<std::filesystem::path> candidates;
  for (const char* platform : {"W2ru", "W2ku", "MacX"}) {
    for (const LocatorInfo& locator : header.locators) {
      if (locator.platform != platform || locator.path.empty()) continue;
      if (locator.platform == "MacX") {
        std::string url = locator.path;
        if (url.rfind("file://", 0) == 0) url = url.substr(7);
        candidates.emplace_back(percent_decoded(url));
      } else {
        const std::filesystem::path path = from_windows(locator.path);
        candidates.push_back(path.is_absolute() ? path : directory / path);
        candidates.push_back(directory / path.filename());
      }
    }
  }
  if (!header.parent_name.empty()) {
    candidates.push_back(directory / from_windows(header.parent_name).filename());
  }
  return without_repeats(candidates);
}

}  // namespace

// The files a chain has opened so far, known three ways: a loop through hard links or bind
// mounts shows as a file identity seen before, one through copies as a unique ID seen
// before, both found before the file's BAT is loaded.
struct ChainVisit {
  std::vector<std::filesystem::path> paths;
  std::vector<FileIdentity> files;
  std::vector<Guid> unique_ids;

  void enter(const ByteSource& file, const std::filesystem::path& path) {
    const auto loops = [&] {
      return FormatError(fmt::format("vhd: {}: the differencing chain loops back to it", path.string()),
                         {path.string(), std::nullopt});
    };
    std::error_code error;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
    if (std::find(paths.begin(), paths.end(), canonical) != paths.end()) throw loops();
    if (const auto* opened = dynamic_cast<const FileSource*>(&file)) {
      if (std::find(files.begin(), files.end(), opened->identity()) != files.end()) throw loops();
      files.push_back(opened->identity());
    }
    if (const std::optional<Guid> id = peek_unique_id(file)) {
      if (std::find(unique_ids.begin(), unique_ids.end(), *id) != unique_ids.end()) throw loops();
      unique_ids.push_back(*id);
    }
    if (paths.size() >= max_chain_depth) {
      throw FormatError(fmt::format("vhd: {}: differencing chain deeper than {}", path.string(),
                                    max_chain_depth), {path.string(), std::nullopt});
    }
    paths.push_back(canonical);
  }
};

VhdImage::VhdImage() = default;
VhdImage::~VhdImage() = default;

bool looks_like_vhd(const ByteSource& file) {
  if (file.size() < 512) return false;
  std::array<std::byte, 8> cookie{};
  for (const std::uint64_t offset : {file.size() - 512, std::uint64_t{0}}) {
    file.read(offset, cookie);
    if (std::equal(cookie.begin(), cookie.end(), "conectix",
                   [](std::byte b, char c) { return b == static_cast<std::byte>(c); })) {
      return true;
    }
  }
  return false;
}

std::shared_ptr<const VhdImage> VhdImage::open(const std::filesystem::path& path,
                                               std::optional<Guid> merging_child) {
  ChainVisit visit;
  return open_chain(std::make_shared<FileSource>(path), path, visit, merging_child);
}

std::shared_ptr<const VhdImage> VhdImage::open(SourcePtr file, const std::filesystem::path& path,
                                               std::optional<Guid> merging_child) {
  ChainVisit visit;
  return open_chain(std::move(file), path, visit, merging_child);
}

std::shared_ptr<const VhdImage> VhdImage::open_chain(SourcePtr file, const std::filesystem::path& path,
                                                     ChainVisit& visit, std::optional<Guid> merging_child) {
  visit.enter(*file, path);
  std::shared_ptr<VhdImage> image(new VhdImage());
  image->path_ = path;
  image->file_ = std::move(file);
  std::vector<Problem> problems;
  std::optional<Layout> layout = read_layout(*image->file_, problems);
  if (!layout) {
    const Problem fatal = first_fatal(problems);
    throw FormatError(fmt::format("vhd: {}: {}", path.string(), fatal.message), in_file(path, fatal.where));
  }
  for (const Problem& problem : problems) {
    image->warnings_.emplace_back(in_file(path, problem.where),
                                  fmt::format("vhd: {}: {}", path.string(), problem.message));
  }
  if (layout->footer.merging_child && layout->footer.merging_child != merging_child) {
    throw FormatError(fmt::format("vhd: {}: a merge of the differencing disk with unique ID {} into this "
                                  "file was interrupted: the file reads right only through that disk, "
                                  "until the merge is run again to its end", path.string(),
                                  layout->footer.merging_child->to_string()),
                      {path.string() + ": footer", std::nullopt});
  }
  image->footer_ = layout->footer;
  image->header_ = layout->header;
  if (layout->header) {
    image->blocks_ = std::make_unique<const BlockTable>(layout->bat);
    image->bitmaps_ = std::make_unique<const BitmapCache>(bitmap_cache_slots);
  }
  image->bitmap_bytes_ = layout->bitmap_bytes;
  layout.reset();  // the BAT as read: the block table holds what the chain needs of it
  if (image->type() == VhdType::differencing) image->open_parent(visit);
  return image;
}

void VhdImage::open_parent(ChainVisit& visit) {
  const HeaderInfo& header = *header_;
  std::vector<std::filesystem::path> tried;
  for (const std::filesystem::path& candidate : parent_candidates(path_, header)) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(candidate, error)) {
      tried.push_back(candidate);
      continue;
    }
    parent_ = open_chain(std::make_shared<FileSource>(candidate), candidate, visit, footer_.unique_id);
    if (parent_->footer().unique_id != header.parent_unique_id) {
      throw FormatError(fmt::format(
          "vhd: {} was made from a parent with unique ID {}, but {} has unique ID {}: the "
          "parent was replaced or modified (e.g. expanded) since",
          path_.string(), header.parent_unique_id.to_string(), candidate.string(),
          parent_->footer().unique_id.to_string()),
          {path_.string() + ": dynamic header", footer_.data_offset});
    }
    if (parent_->size() != size()) {
      throw FormatError(fmt::format("vhd: {} ({} bytes) and its parent {} ({} bytes) differ in "
                                    "size: the parent was resized since", path_.string(), size(),
                                    candidate.string(), parent_->size()),
                        {candidate.string() + ": footer", std::nullopt});
    }
    const std::optional<std::uint32_t> modified = vhd_timestamp_of(candidate);
    if (modified && *modified != header.parent_timestamp) {
      warnings_.emplace_back(Location{path_.string() + ": dynamic header", footer_.data_offset},
                             fmt::format("vhd: {}: parent {} was last written at VHD time {}, the "
                                      "child records {} (timestamps differ across time zones "
                                      "and copies; the unique IDs match)", path_.string(),
                                      candidate.string(), *modified, header.parent_timestamp));
    }
    return;
  }
  std::string list;
  for (const auto& candidate : tried) list += "\n  " + candidate.string();
  throw NotFoundError(fmt::format("vhd: {}: parent {} not found; looked for:{}",
                                  path_.string(), from_windows(header.parent_name).string(), list),
                      {path_.string() + ": dynamic header", footer_.data_offset});
}

std::vector<std::filesystem::path> VhdImage::chain() const {
  std::vector<std::filesystem::path> files;
  for (const VhdImage* image = this; image != nullptr; image = image->parent_.get()) {
    files.push_back(image->path_);
  }
  return files;
}

Warnings VhdImage::warnings() const {
  Warnings all = warnings_;
  if (parent_) {
    const auto inherited = parent_->warnings();
    all.insert(all.end(), inherited.begin(), inherited.end());
  }
  return all;
}

bool VhdImage::block_allocated(std::uint64_t offset) const {
  if (type() == VhdType::fixed) return true;
  return blocks_->sector(offset / header_->block_size).has_value();
}

std::uint64_t VhdImage::next_data(std::uint64_t offset) const {
  if (type() == VhdType::fixed) return file_->next_data(offset);  // a sparse fixed file
  const std::uint64_t block_size = header_->block_size;
  for (std::uint64_t at = offset; at < size(); at = (at / block_size + 1) * block_size) {
    if (block_present(at)) return at;
  }
  return size();
}

std::uint64_t VhdImage::next_hole(std::uint64_t offset) const {
  if (type() == VhdType::fixed) return std::min(file_->next_hole(offset), size());
  const std::uint64_t block_size = header_->block_size;
  for (std::uint64_t at = offset; at < size(); at = (at / block_size + 1) * block_size) {
    if (!block_present(at)) return at;
  }
  return size();
}

void VhdImage::will_need(std::uint64_t offset, std::uint64_t length) const {
  if (offset >= size()) return;
  length = std::min(length, size() - offset);
  if (type() == VhdType::fixed) {
    file_->will_need(offset, length);
    return;
  }
  const std::uint64_t block_size = header_->block_size;
  while (length > 0) {
    const std::uint64_t within = offset % block_size;
    const std::uint64_t piece = std::min(length, block_size - within);
    if (const std::optional<std::uint32_t> sector = blocks_->sector(offset / block_size)) {
      file_->will_need(std::uint64_t{*sector} * 512, bitmap_bytes_ + within + piece);  // its bitmap too
    } else if (parent_) {
      parent_->will_need(offset, piece);
    }
    offset += piece;
    length -= piece;
  }
}

void VhdImage::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  if (type() == VhdType::fixed) {
    file_->read(offset, buffer);
    return;
  }
  const std::uint64_t block_size = header_->block_size;
  while (!buffer.empty()) {
    const std::uint64_t within = offset % block_size;
    const std::size_t piece =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), block_size - within));
    read_block_range(offset, buffer.first(piece));
    buffer = buffer.subspan(piece);
    offset += piece;
  }
}

// Bytes inside one block: sectors whose bitmap bit is set come from this file; the others
// are zeros (dynamic) or the parent's (differencing).
void VhdImage::read_block_range(std::uint64_t offset, std::span<std::byte> buffer) const {
  const std::uint64_t block_size = header_->block_size;
  const std::uint64_t block = offset / block_size;
  const auto from_parent_or_zero = [&](std::uint64_t at, std::span<std::byte> out) {
    if (parent_) {
      parent_->read(at, out);
    } else {
      std::fill(out.begin(), out.end(), std::byte{0});
    }
  };
  const std::optional<std::uint32_t> sector = blocks_->sector(block);
  if (!sector) {
    from_parent_or_zero(offset, buffer);
    return;
  }
  const std::uint64_t data = std::uint64_t{*sector} * 512 + bitmap_bytes_;
  const std::vector<std::byte> bitmap =
      bitmaps_->get(block, [&] { return file_->read(std::uint64_t{*sector} * 512, bitmap_bytes_); });
  // Runs of sectors with the same bit are read in one go.
  while (!buffer.empty()) {
    const std::uint64_t within = offset % block_size;
    const std::uint64_t first = within / 512;
    const std::uint64_t run = same_bit_run(bitmap, first, (within + buffer.size() + 511) / 512);
    const std::uint64_t end = std::min<std::uint64_t>(within + buffer.size(), (first + run) * 512);
    const auto piece = buffer.first(static_cast<std::size_t>(end - within));
    if (sector_present(bitmap, first)) {
      file_->read(data + within, piece);
    } else {
      from_parent_or_zero(offset, piece);
    }
    buffer = buffer.subspan(piece.size());
    offset += piece.size();
  }
}

}  // namespace diskimg::vhd
