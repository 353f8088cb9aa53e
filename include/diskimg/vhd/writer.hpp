// Writing VHDs: fixed, dynamic and differencing. Blocks are allocated on their first
// non-zero write; each allocation writes data, then the sector bitmap, then the BAT entry,
// then the footer, so that an interrupted writer leaves a file that reads as before or that
// `diskimg check` reports as damaged, never one that reads wrong data. An allocation whose
// write fails is undone, so that the writer can go on after a transient error.
#pragma once

#include <diskimg/source/byte_sink.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/vhd.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>

namespace diskimg::vhd {

struct CreateOptions {
  VhdType type = VhdType::dynamic;
  std::uint64_t size = 0;                      // rounded up to a whole sector
  std::uint32_t block_size = default_block_size;
  std::filesystem::path parent;                // differencing disks only
  // The new file's permission bits, exactly (the umask takes nothing away), when create
  // makes the file itself. By default a differencing disk has its parent's, others 0644
  // less the umask.
  std::optional<std::filesystem::perms> permissions;
};

class VhdWriter {
 public:
  // Creates `path` (never over an existing file). The footer records creator "win ": qemu
  // then takes the current size as the disk's size instead of the CHS product, as Hyper-V,
  // libvhdi and diskimg do (see docs/vhd.md). Throws UsageError for sizes or block sizes the
  // format cannot hold (over 2040 GiB for dynamic and differencing disks).
  static std::unique_ptr<VhdWriter> create(const std::filesystem::path& path,
                                           const CreateOptions& options);
  // The same into any sink; `path` is where the file will be, for parent locators.
  static std::unique_ptr<VhdWriter> create(std::unique_ptr<ByteSink> sink,
                                           const std::filesystem::path& path,
                                           const CreateOptions& options);
  // Opens an existing VHD to write into it (merging a child into it).
  static std::unique_ptr<VhdWriter> open_existing(const std::filesystem::path& path);

  std::uint64_t size() const { return footer_.current_size; }
  VhdType type() const { return footer_.type; }
  std::uint32_t block_size() const { return block_size_; }

  // Writes bytes at a guest offset. Writes that are not sector-aligned merge with what is
  // there. All-zero writes to unallocated blocks of a dynamic disk allocate nothing. Throws
  // what the sink throws (IoError); a block allocation that fails leaves the writer as it
  // was, to be written again. If even undoing it fails, every later write throws IoError.
  void write(std::uint64_t offset, std::span<const std::byte> data);
  // Makes the file durable (fdatasync).
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
