/// @file
/// Reading a VHDX: a byte source like a raw image, through a differencing chain of any
/// depth, with a log left by an unclean close replayed in memory.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_source.hpp>
#include <diskimg/vhdx/vhdx.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace diskimg::vhdx {

class BlockMap;
class SectorBitmaps;
struct ChainVisit;

/// True when the file starts with the VHDX file type identifier ("vhdxfile"). Throws
/// IoError when its first bytes cannot be read.
bool looks_like_vhdx(const ByteSource& file);

/// A VHDX read as the disk it holds. Owns what it parsed (headers, regions, metadata, the
/// block map) and a cache of sector bitmaps; shares its file (or, when the file's log was
/// replayed, the overlay over it) and its parent, kept alive while it lives. Opening never
/// writes the file: a log left by an unclean close is replayed into an overlay, so the
/// image reads what Hyper-V reads after replay. Immutable once opened but for the cache,
/// which takes a lock: reads may come from several threads at once.
class VhdxImage final : public ByteSource {
 public:
  /// Opens a VHDX and, for a differencing disk, its parents: found through the parent
  /// locator (relative_path first, then absolute_win32_path and volume_path, then the
  /// parent's file name beside the child), each checked by its DataWriteGuid against the
  /// child's parent_linkage (a parent written to since is an error naming both files), its
  /// size and sector size, with a depth limit and a cycle check (path, file identity).
  /// Throws FormatError naming the structure and offset at fault, UnsupportedError for what
  /// diskimg does not read (an unknown required region or metadata item, a log too long to
  /// replay), NotFoundError when a parent is not found, IoError when a file cannot be read.
  static std::shared_ptr<const VhdxImage> open(const std::filesystem::path& path);
  /// The same over bytes already open (`path` is where parents are looked for); `file` is
  /// shared by the image.
  static std::shared_ptr<const VhdxImage> open(SourcePtr file, const std::filesystem::path& path);
  /// Opens a file a merge was interrupted in (its DataWriteGuid is the marker
  /// merge_vhdx_into_parent wrote for `marker`'s child), for that merge to finish; any other
  /// file as open() does. Throws as open() does.
  static std::shared_ptr<const VhdxImage> open_merging(const std::filesystem::path& path, const Guid& marker);
  /// Releases what the image holds.
  ~VhdxImage() override;

  /// The virtual disk's size.
  std::uint64_t size() const override { return metadata_.virtual_size; }
  /// The logical sector size the disk presents: 512 or 4096.
  std::uint32_t sector_size() const override { return metadata_.logical_sector_size; }
  /// The path the image was opened with.
  std::string name() const override { return path_.string(); }
  /// The path the image was opened with.
  const std::filesystem::path& path() const { return path_; }
  /// Blocks no file of the chain holds (and blocks in the ZERO or UNMAPPED states) read as
  /// zeros without being read.
  std::uint64_t next_data(std::uint64_t offset) const override;
  /// The first offset past `offset` in such a block.
  std::uint64_t next_hole(std::uint64_t offset) const override;
  /// Passed to the file where this image holds the blocks, to the parent where it does not
  /// (a differencing image's partly present blocks: to the file only).
  void will_need(std::uint64_t offset, std::uint64_t length) const override;

  /// Fixed, dynamic or differencing.
  VhdxType type() const { return type_; }
  /// The header in use (after replay, the one the file holds: replay does not change it).
  const HeaderInfo& header() const { return header_; }
  /// What the metadata says.
  const MetadataInfo& metadata() const { return metadata_; }
  /// What replaying the log did; empty when the file was closed cleanly.
  const std::optional<LogReplayInfo>& replay() const { return replay_; }
  /// The parent of a differencing disk; null otherwise.
  const std::shared_ptr<const VhdxImage>& parent() const { return parent_; }
  /// This file and its parents, child first.
  std::vector<std::filesystem::path> chain() const;
  /// Warnings of this file and its parents (a damaged header or region table copy, a log
  /// that could not be replayed).
  Warnings warnings() const;
  /// Whether this file holds the block with `offset` (fully or partially present).
  bool block_allocated(std::uint64_t offset) const;
  /// Whether this file decides what the block with `offset` reads (it holds it, or marks it
  /// zero or unmapped) rather than its parent.
  bool block_decided(std::uint64_t offset) const;
  /// Whether this file or a parent holds the block with `offset`.
  bool block_present(std::uint64_t offset) const;

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  VhdxImage();
  static std::shared_ptr<const VhdxImage> open_chain(SourcePtr file, const std::filesystem::path& path,
                                                     ChainVisit& visit);
  void open_parent(ChainVisit& visit);
  void read_block_range(std::uint64_t offset, std::span<std::byte> buffer) const;
  void from_parent_or_zero(std::uint64_t offset, std::span<std::byte> buffer) const;

  std::filesystem::path path_;
  SourcePtr file_;                            // the file, or its replayed overlay
  HeaderInfo header_;
  MetadataInfo metadata_;
  VhdxType type_ = VhdxType::dynamic;
  std::optional<LogReplayInfo> replay_;
  std::uint64_t block_size_ = 0;
  std::uint64_t chunk_ratio_ = 0;
  std::unique_ptr<const BlockMap> blocks_;
  std::unique_ptr<const SectorBitmaps> bitmaps_;
  std::shared_ptr<const VhdxImage> parent_;
  Warnings warnings_;
};

}  // namespace diskimg::vhdx
