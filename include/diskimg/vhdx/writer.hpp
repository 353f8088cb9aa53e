/// @file
/// Writing VHDX files: fixed, dynamic and differencing, with 512- or 4096-byte logical
/// sectors, up to 64 TiB. Crash safety as the format intends: payload is written in place
/// or into new blocks at the file's end, and every metadata change (BAT entries, sector
/// bitmaps) goes through the log: the payload first, flushed, then a log entry with the
/// changed metadata sectors, flushed, then the sectors in place, flushed. A writer stopped
/// anywhere leaves a file that reads, once its log is replayed, as before a commit or after
/// it, never with a block pointing at bytes that were not written.
#pragma once

#include <diskimg/core/guid.hpp>
#include <diskimg/source/byte_sink.hpp>
#include <diskimg/vhdx/image.hpp>
#include <diskimg/source/image_writer.hpp>
#include <diskimg/vhdx/vhdx.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace diskimg::vhdx {

class LogWriter;

/// What a new VHDX is.
struct CreateOptions {
  VhdxType type = VhdxType::dynamic;              ///< fixed, dynamic or differencing
  std::uint64_t size = 0;                         ///< rounded up to a whole logical sector
  std::uint32_t block_size = default_block_size;  ///< 1 MiB to 256 MiB, a power of two
  std::uint32_t logical_sector_size = 512;        ///< 512 or 4096: what the disk presents
  std::uint32_t physical_sector_size = 4096;      ///< 512 or 4096
  std::filesystem::path parent;                   ///< differencing disks only: its size,
                                                  ///< sectors and block size are the parent's
  /// The new file's permission bits, exactly, when create makes the file; by default a
  /// differencing disk has its parent's, others 0644 less the umask.
  std::optional<std::filesystem::perms> permissions;
};

/// Writes one VHDX. Owns its sink (the file, locked against other writers until the writer
/// is destroyed: FileSink) and, for a differencing disk, shares the parent's image. Not thread-safe: one thread at a time. Changes to the metadata are held
/// in memory until commit() (or until enough have gathered), so a write may return before
/// its block is visible in the file; close() commits and marks the file clean.
class VhdxWriter final : public ImageWriter {
 public:
  /// Creates `path` (never over an existing file: OutputExistsError). Throws UsageError for
  /// sizes, block sizes or sector sizes the format cannot hold, what VhdxImage::open throws
  /// for a parent, IoError when writing fails; a failed creation removes the file.
  static std::unique_ptr<VhdxWriter> create(const std::filesystem::path& path, const CreateOptions& options);
  /// The same into any sink; `path` is where the file will be, for the parent locator.
  static std::unique_ptr<VhdxWriter> create(std::unique_ptr<ByteSink> sink, const std::filesystem::path& path,
                                            const CreateOptions& options);
  /// Opens an existing VHDX to write into it. A log left by an unclean close is replayed
  /// into the file first, as the format requires; the headers then get a new FileWriteGuid.
  /// Throws FormatError when the file is not a sound VHDX or its log would extend it past
  /// what the disk can need (nothing written then), what VhdxImage::open throws for a
  /// differencing disk's chain (after the replay), IoError when it cannot be read or
  /// written or another writer has it open.
  /// A file a merge was interrupted in opens only with that merge's `allowed_marker`
  /// (VhdxImage::open_merging), and a child whose merge into its parent is not finished not
  /// at all (FormatError).
  static std::unique_ptr<VhdxWriter> open_existing(const std::filesystem::path& path,
                                                   std::optional<Guid> allowed_marker = std::nullopt);
  /// Does nothing to the file: changes not committed are not in it (close() first).
  ~VhdxWriter() override;
  /// Not copyable.
  VhdxWriter(const VhdxWriter&) = delete;
  /// Not assignable.
  VhdxWriter& operator=(const VhdxWriter&) = delete;

  /// The disk's size in bytes.
  std::uint64_t size() const override { return size_; }
  /// Fixed, dynamic or differencing.
  VhdxType type() const { return type_; }
  /// Bytes per payload block.
  std::uint32_t block_size() const { return block_size_; }
  /// The logical sector size the disk presents.
  std::uint32_t sector_size() const override { return logical_sector_size_; }

  /// Writes bytes at a guest offset. The session's first write gives the file a new
  /// DataWriteGuid first (a differencing child made before no longer links to it). Writes
  /// that are not whole logical sectors merge with what is there. All-zero writes allocate nothing where the disk reads zeros already.
  /// Throws UsageError when the range runs past the disk (nothing is written), IoError when
  /// the file cannot be read or written, and what the parent's reads throw. After a throw
  /// the metadata in memory is as before the failing block; the file holds at most
  /// unreferenced bytes past its structures, or payload in blocks already allocated.
  void write(std::uint64_t offset, std::span<const std::byte> data) override;
  /// Reads the disk as written so far, committed or not. Throws UsageError when the range
  /// runs past the disk, IoError when the file or a parent cannot be read.
  void read(std::uint64_t offset, std::span<std::byte> buffer) override;
  /// Makes every write so far durable and visible in the file: payload flushed, then the
  /// metadata through the log. Throws IoError; the file then reads as at the last commit.
  void commit();
  /// commit(), then marks the file clean (the headers' LogGuid zero): what a reader opens
  /// without replaying anything. Throws IoError.
  void close() override;
  /// commit().
  void flush() override { commit(); }
  /// Before a merge writes anything: the DataWriteGuid becomes `marker` (durably), which
  /// tells diskimg, and only it, that the file reads right only through the child being
  /// merged. Throws IoError.
  void begin_merge(const Guid& marker);
  /// Commits, then gives the file the DataWriteGuid `merged` (durably): once every merged
  /// block is written. Throws IoError.
  void end_merge(const Guid& merged);

 private:
  VhdxWriter();
  void write_block_piece(std::uint64_t block, std::uint64_t within, std::span<const std::byte> data);
  std::uint64_t allocate(std::uint64_t length);
  void mark_sectors(std::uint64_t block, std::uint64_t within, std::uint64_t length);
  void set_bat_entry(std::uint64_t index, std::uint64_t raw);
  std::vector<std::byte>& dirty_sector(std::uint64_t file_offset);
  void read_current(std::uint64_t offset, std::span<std::byte> buffer);
  bool sector_present(std::uint64_t block, std::uint64_t sector);
  void write_headers();
  void begin_data_change();
  void open_log();
  std::uint64_t payload_index(std::uint64_t block) const { return block + block / chunk_ratio_; }
  std::uint64_t bitmap_index(std::uint64_t chunk) const { return chunk * (chunk_ratio_ + 1) + chunk_ratio_; }

  std::unique_ptr<ByteSink> sink_;
  VhdxType type_ = VhdxType::dynamic;
  std::uint64_t size_ = 0;
  std::uint32_t block_size_ = 0;
  std::uint32_t logical_sector_size_ = 512;
  std::uint64_t chunk_ratio_ = 0;
  std::uint64_t bat_offset_ = 0;
  HeaderInfo header_;
  std::uint64_t file_end_ = 0;                          // where the next block goes
  std::vector<std::uint64_t> bat_;                      // raw entries, as the file will hold them
  std::map<std::uint64_t, std::vector<std::byte>> dirty_;  // metadata sectors to commit, by offset
  std::unique_ptr<LogWriter> log_;                      // this session's log: set by the first commit
  bool data_changed_ = false;                           // new DataWriteGuid written this session
  std::uint64_t data_start_ = 0;                        // a fixed disk's first block
  std::shared_ptr<const VhdxImage> parent_;
};

}  // namespace diskimg::vhdx
