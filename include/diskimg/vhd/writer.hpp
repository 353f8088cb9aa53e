/// @file
/// Writing VHDs: fixed, dynamic and differencing. Blocks are allocated on their first
/// non-zero write; each allocation moves the footer to the new end of the file first, then
/// writes the data and the sector bitmap, and the BAT entry last, so that an interrupted
/// writer leaves a file that reads as before or with the new block, never one that reads
/// wrong data or lacks its end footer. An allocation whose write fails is undone, so that
/// the writer can go on after a transient error.
#pragma once

#include <diskimg/source/byte_sink.hpp>
#include <diskimg/source/image_writer.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/vhd.hpp>

#include <filesystem>
#include <memory>
#include <optional>

namespace diskimg::vhd {

class BitmapCache;

/// What VhdWriter::create makes.
struct CreateOptions {
  VhdType type = VhdType::dynamic;             ///< fixed, dynamic or differencing
  /// Bytes, rounded up to a whole sector; a differencing disk takes its parent's instead.
  std::uint64_t size = 0;
  /// A power of two from 512 KiB to 256 MiB (dynamic); a differencing disk takes its
  /// parent's, and a fixed disk has no blocks.
  std::uint32_t block_size = default_block_size;
  std::filesystem::path parent;                ///< differencing disks only
  /// The new file's permission bits, exactly (the umask takes nothing away), when create
  /// makes the file itself. By default a differencing disk has its parent's, others 0644
  /// less the umask.
  std::optional<std::filesystem::perms> permissions;
};

/// Writes a VHD: fixed, dynamic or differencing. Owns its sink (the file, locked against
/// other writers and closed when the writer is destroyed: FileSink) and, for a differencing disk, shares its parent's VhdImage, which
/// it reads where a write does not cover whole sectors or writes zeros. For one thread at a
/// time: a write changes the BAT, the sector-bitmap cache and where the next block goes.
/// Memory: the BAT (4 bytes a block) and a fixed number of cached sector bitmaps.
///
/// The file is a complete VHD after creation and after every write that returns (a failed
/// allocation aside: see write): the footer follows each new block. Destroying the writer
/// writes nothing more; sync makes what was written durable.
class VhdWriter final : public ImageWriter {
 public:
  ~VhdWriter() override;

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
  /// Opens an existing VHD to write into it (merging a child into it). A dynamic or
  /// differencing file whose end footer is gone or torn is repaired first: the copy at
  /// offset 0 goes back after the last block, and what lies past it is cut off (nothing else
  /// is written by opening). A file that a merge was writing into
  /// (FooterInfo::merging_child) opens only for that merge, named by `merging_child`.
  /// Throws FormatError when the file is not a sound VHD or cannot be repaired, IoError
  /// when it cannot be opened, read or repaired, and for a differencing disk what
  /// VhdImage::open throws for its chain.
  static std::unique_ptr<VhdWriter> open_existing(const std::filesystem::path& path,
                                                  std::optional<Guid> merging_child = std::nullopt);

  /// The disk's size in bytes, as the guest sees it.
  std::uint64_t size() const override { return footer_.current_size; }
  /// 512: a VHD has no other sector size.
  std::uint32_t sector_size() const override { return 512; }
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
  /// is as it was before the allocation and the file reads as it did (the file may have
  /// grown by the block, unreferenced, before its end footer). If even undoing it fails,
  /// every later write throws IoError.
  void write(std::uint64_t offset, std::span<const std::byte> data) override;
  /// Reads the disk as written so far. Throws UsageError when the range runs past the disk,
  /// IoError when the file or a parent cannot be read.
  void read(std::uint64_t offset, std::span<std::byte> buffer) override;
  /// Makes the file durable (fdatasync). Throws IoError when flushing fails.
  void sync();
  /// sync(): every write is visible in the file as it returns.
  void flush() override { sync(); }
  /// sync(); a VHD has no mark of a clean close.
  void close() override { sync(); }
  /// Marks the file, durably and in both footers, as being merged into from the differencing
  /// disk `child`, before any of its blocks changes. Until end_merge() the file reads right
  /// only as that child's parent, and check_vhd reports it. Throws IoError when the footers
  /// cannot be written or flushed; the mark may then be set in the end footer only.
  void begin_merge(const Guid& child);
  /// Clears the mark begin_merge set, durably, once every block is written and flushed.
  /// Throws IoError when the footers cannot be written or flushed; the file then reads
  /// merged, with the mark perhaps still in the copy at offset 0 (check_vhd reports it).
  void end_merge();

 private:
  VhdWriter();
  void write_metadata(const std::filesystem::path& path, const CreateOptions& options);
  void write_block_piece(std::uint32_t block, std::uint64_t within, std::span<const std::byte> data);
  void allocate_block(std::uint32_t block, std::uint64_t within, std::span<const std::byte> data);
  std::vector<std::byte> new_block_bitmap(std::uint32_t block, std::uint64_t within,
                                          std::uint64_t length) const;
  void clear_leftovers(std::uint64_t start);
  void write_bat_entry(std::uint32_t block, std::uint32_t sector);
  void take_back_bat_entry(std::uint32_t block) noexcept;
  void repair_end_footer(std::uint64_t used_end);
  void write_both_footers();
  void read_current(std::uint64_t offset, std::span<std::byte> buffer);
  std::vector<std::byte> bitmap(std::uint32_t block) const;
  std::uint64_t block_offset(std::uint32_t block) const;

  std::unique_ptr<ByteSink> sink_;
  FooterInfo footer_;
  std::uint32_t block_size_ = 0;
  std::uint32_t bitmap_bytes_ = 0;
  std::uint64_t table_offset_ = 0;
  std::vector<std::uint32_t> bat_;
  std::unique_ptr<BitmapCache> bitmaps_;      // the sector bitmaps written or read lately
  std::uint64_t next_block_ = 0;               // where the next block goes: the footer's place
  std::shared_ptr<const VhdImage> parent_;
  bool broken_ = false;                        // a failed write could not be undone
};

}  // namespace diskimg::vhd
