/// @file
/// Writing VHDs: fixed, dynamic and differencing. Blocks are allocated on their first
/// non-zero write; each allocation writes data, then the sector bitmap, then the BAT entry,
/// then the footer, so that an interrupted writer leaves a file that reads as before or that
/// check_vhd reports as damaged, never one that reads wrong data. An allocation whose
/// write fails is undone, so that the writer can go on after a transient error.
#pragma once

#include <diskimg/source/byte_sink.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/vhd.hpp>

#include <filesystem>
#include <map>
#include <memory>

namespace diskimg::vhd {

/// What VhdWriter::create makes.
struct CreateOptions {
  VhdType type = VhdType::dynamic;             ///< fixed, dynamic or differencing
  /// Bytes, rounded up to a whole sector; a differencing disk takes its parent's instead.
  std::uint64_t size = 0;
  /// A power of two from 512 KiB to 256 MiB (dynamic); a differencing disk takes its
  /// parent's, and a fixed disk has no blocks.
  std::uint32_t block_size = default_block_size;
  std::filesystem::path parent;                ///< differencing disks only
};

/// Writes a VHD: fixed, dynamic or differencing. Owns its sink (the file, closed when the
/// writer is destroyed) and, for a differencing disk, shares its parent's VhdImage, which
/// it reads where a write does not cover whole sectors or writes zeros. For one thread at a
/// time: a write changes the BAT, the sector-bitmap cache and where the next block goes.
///
/// The file is a complete VHD after creation and after every write that returns (a failed
/// allocation aside: see write): the footer follows each new block. Destroying the writer
/// writes nothing more; sync makes what was written durable.
class VhdWriter {
 public:
  /// Creates `path` (never over an existing file). The footer records creator "win ": qemu
  /// then takes the current size as the disk's size instead of the CHS product, as Hyper-V,
  /// libvhdi and diskimg do (see docs/vhd.md). A differencing disk records its parent's
  /// absolute path (W2ku locator and parent name) and its path relative to `path` (W2ru).
  ///
  /// Throws UsageError for sizes or block sizes the format cannot hold (a size of 0, over
  /// 2040 GiB for dynamic and differencing disks) and what VhdImage::open throws for a
  /// parent; no file is created then. Throws IoError when `path` exists (it is left alone)
  /// or cannot be created, and when writing the metadata fails: the partly written file
  /// then stays at `path`.
  static std::unique_ptr<VhdWriter> create(const std::filesystem::path& path,
                                           const CreateOptions& options);
  /// The same into any sink, which the writer owns; `path` is where the file will be, for
  /// parent locators. Throws as the other create does; after an IoError the sink holds part
  /// of the metadata.
  static std::unique_ptr<VhdWriter> create(std::unique_ptr<ByteSink> sink,
                                           const std::filesystem::path& path,
                                           const CreateOptions& options);
  /// Opens an existing VHD to write into it (merging a child into it); opening writes
  /// nothing. Throws FormatError when the file is not a sound VHD (its footer at the end
  /// damaged, or structures that a reader would stop at), IoError when it cannot be opened
  /// or read, and for a differencing disk what VhdImage::open throws for its chain.
  static std::unique_ptr<VhdWriter> open_existing(const std::filesystem::path& path);

  /// The disk's size in bytes, as the guest sees it.
  std::uint64_t size() const { return footer_.current_size; }
  /// Fixed, dynamic or differencing.
  VhdType type() const { return footer_.type; }
  /// Bytes per block of a dynamic or differencing disk. A fixed disk has none: the value is
  /// then the option given to create, or 0 after open_existing.
  std::uint32_t block_size() const { return block_size_; }

  /// Writes bytes at a guest offset. Writes that are not sector-aligned merge with what is
  /// there. All-zero writes to unallocated blocks of a dynamic disk allocate nothing (nor,
  /// on a differencing disk, where the parent reads as zeros too).
  ///
  /// Throws UsageError when the range runs past the disk (nothing is written) or the file
  /// has grown past what 32-bit BAT entries address, IoError when the file cannot be read
  /// or written, and what the parent's reads throw. After a throw, the blocks before the
  /// failing one may be written, and part of the failing piece when its block was
  /// allocated already; making the same write again completes it. A block allocation that
  /// fails is undone in the file and in memory: nothing refers to the new block, the writer
  /// is as it was before the allocation and the file reads as it did (until a later
  /// allocation succeeds, the footer at the end may be damaged and readers use its copy at
  /// offset 0). If even undoing it fails, every later write throws IoError.
  void write(std::uint64_t offset, std::span<const std::byte> data);
  /// Makes the file durable (fdatasync). Throws IoError when flushing fails.
  void sync();

 private:
  VhdWriter() = default;
  void write_metadata(const std::filesystem::path& path, const CreateOptions& options);
  void write_block_piece(std::uint32_t block, std::uint64_t within, std::span<const std::byte> data);
  void allocate_block(std::uint32_t block, std::uint64_t within, std::span<const std::byte> data);
  std::vector<std::byte> new_block_bitmap(std::uint32_t block, std::uint64_t within,
                                          std::uint64_t length) const;
  void clear_leftovers(std::uint64_t start);
  void write_bat_entry(std::uint32_t block, std::uint32_t sector);
  void take_back_bat_entry(std::uint32_t block) noexcept;
  void read_current(std::uint64_t offset, std::span<std::byte> buffer);
  std::vector<std::byte>& bitmap(std::uint32_t block);
  std::uint64_t block_offset(std::uint32_t block) const;

  std::unique_ptr<ByteSink> sink_;
  FooterInfo footer_;
  std::uint32_t block_size_ = 0;
  std::uint32_t bitmap_bytes_ = 0;
  std::uint64_t table_offset_ = 0;
  std::vector<std::uint32_t> bat_;
  std::map<std::uint32_t, std::vector<std::byte>> bitmaps_;
  std::uint64_t next_block_ = 0;               // where the next block goes: the footer's place
  std::shared_ptr<const VhdImage> parent_;
  bool broken_ = false;                        // a failed write could not be undone
};

}  // namespace diskimg::vhd
