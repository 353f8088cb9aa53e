/// @file
/// Reading a VHD: a byte source like a raw image, through a differencing chain of any depth.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_source.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhd/vhd.hpp>

#include <filesystem>
#include <memory>

namespace diskimg::vhd {

class BlockTable;
class BitmapCache;
struct ChainVisit;

/// True when the file ends (or, with a damaged end, starts) with a VHD footer cookie.
/// Throws IoError when those sectors cannot be read.
bool looks_like_vhd(const ByteSource& file);

/// A VHD read as the disk it holds: a byte source like a raw image, through a differencing
/// chain of any depth. Owns what it parsed (footer, header, BAT) and a cache of sector
/// bitmaps; shares its file's source and its parent (the next VhdImage of the chain), both
/// kept alive while it lives. Immutable once opened but for the cache, which takes a lock:
/// reads may come from several threads at once. The BAT is read once, when the image is
/// opened: blocks written into the file later are not seen.
class VhdImage final : public ByteSource {
 public:
  /// Opens a VHD and, for a differencing disk, its parents: found through the W2ru, W2ku
  /// and MacX locators and the header's parent name, checked by unique ID (a mismatch is an
  /// error naming both files) and by timestamp (a warning), with a depth limit and a cycle
  /// check (by path, by file identity and by unique ID, before a file's BAT is loaded).
  /// Throws FormatError naming the structure and offset at fault (a damaged file, a parent
  /// whose unique ID or size differs, a chain that loops or is deeper than 64),
  /// NotFoundError when a parent is not found (naming every place looked at), IoError when
  /// a file cannot be opened or read. A file that a merge is writing into
  /// (FooterInfo::merging_child) reads right only as the parent of that child: opened on
  /// its own it is a FormatError, unless `merging_child` names that child (a merge run
  /// again to its end opens it so).
  static std::shared_ptr<const VhdImage> open(const std::filesystem::path& path,
                                              std::optional<Guid> merging_child = std::nullopt);
  /// The same over bytes already open (`path` is where parents are looked for); `file` is
  /// shared by the image.
  static std::shared_ptr<const VhdImage> open(SourcePtr file, const std::filesystem::path& path,
                                              std::optional<Guid> merging_child = std::nullopt);

  /// The disk's size: the footer's current size.
  std::uint64_t size() const override { return footer_.current_size; }
  /// Always 512: VHD format 1.0 has 512-byte sectors.
  std::uint32_t sector_size() const override { return 512; }
  /// The path the image was opened with.
  std::string name() const override { return path_.string(); }

  /// The path the image was opened with.
  const std::filesystem::path& path() const { return path_; }
  /// Unallocated blocks of every file of the chain read as zeros; a fixed disk asks its
  /// file (SEEK_DATA).
  std::uint64_t next_data(std::uint64_t offset) const override;
  /// The first block that no file of the chain holds; a fixed disk asks its file.
  std::uint64_t next_hole(std::uint64_t offset) const override;
  /// Passed to the file where this image holds the blocks, to the parent where it does not
  /// (a differencing image's partly present blocks: to the file only).
  void will_need(std::uint64_t offset, std::uint64_t length) const override;
  /// Fixed, dynamic or differencing.
  VhdType type() const { return footer_.type; }
  /// What the footer says.
  const FooterInfo& footer() const { return footer_; }
  /// What the dynamic header says; empty for a fixed disk.
  const std::optional<HeaderInfo>& header() const { return header_; }
  /// The parent of a differencing disk; null otherwise.
  const std::shared_ptr<const VhdImage>& parent() const { return parent_; }
  /// This file and its parents, child first.
  std::vector<std::filesystem::path> chain() const;
  /// Warnings of this file and its parents (a footer read from the copy at offset 0, a
  /// parent timestamp that differs).
  Warnings warnings() const;
  /// Whether the block holding `offset` is allocated in this file (always for fixed disks).
  bool block_allocated(std::uint64_t offset) const;
  /// Whether this file or a parent holds the block with `offset`; when none does, the
  /// bytes there read as zeros. Copiers skip such blocks without reading them.
  bool block_present(std::uint64_t offset) const {
    return block_allocated(offset) || (parent_ && parent_->block_present(offset));
  }

 protected:
  /// Sectors whose bitmap bit is set come from this file; the others read as zeros
  /// (dynamic) or from the parent (differencing). Throws IoError when a file cannot be read.
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 public:
  ~VhdImage() override;

 private:
  VhdImage();
  void open_parent(ChainVisit& visit);
  static std::shared_ptr<const VhdImage> open_chain(SourcePtr file, const std::filesystem::path& path,
                                                    ChainVisit& visit, std::optional<Guid> merging_child);
  void read_block_range(std::uint64_t offset, std::span<std::byte> buffer) const;

  std::filesystem::path path_;
  SourcePtr file_;
  FooterInfo footer_;
  std::optional<HeaderInfo> header_;
  std::unique_ptr<const BlockTable> blocks_;   // dynamic and differencing disks
  std::uint32_t bitmap_bytes_ = 0;
  std::shared_ptr<const VhdImage> parent_;
  Warnings warnings_;
  std::unique_ptr<const BitmapCache> bitmaps_;  // the sector bitmaps read lately
};

}  // namespace diskimg::vhd
