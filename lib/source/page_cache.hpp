// The last pages that small reads of a file touched, kept so that what every layer reads
// while a disk is opened (format signatures at both ends, partition tables, boot sectors,
// the MFT's first record, VHD headers and bitmaps) comes from the disk once: on a cold disk
// each of those reads is a seek.
#pragma once

#include "core/io_bytes.hpp"

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

namespace diskimg {

class PageCache {
 public:
  static constexpr std::size_t page_size = 4096;
  // Reads this size and under are served page by page; the pages they read are kept only
  // when the read is at most `kept_read`: metadata is read in pieces of a few KiB (the
  // record cache's chunks are 16 KiB, or one record of 32 or 64 KiB where records are that
  // large, not kept then), while longer reads are a copy's or a scan's pieces, which would
  // push the metadata out and cost a copy each for nothing (an MFT in pieces of 32-64 KiB
  // spent a tenth of a small listing's time being kept here).
  static constexpr std::size_t served_read = 256 << 10;
  static constexpr std::size_t kept_read = 16 << 10;
  static constexpr std::size_t pages = 64;

  // Reads `buffer` from `offset` of a source of `size` bytes: held pages are copied, the
  // others read with `read` in runs of whole pages (the last one cut at `size`). Thread-safe:
  // reads run outside the lock, which each call takes twice at most. Reads longer than
  // `served_read` go to `read` whole. An exception from `read` is passed on and nothing is
  // kept.
  using Reader = std::function<void(std::uint64_t offset, std::span<std::byte> buffer)>;
  void read(std::uint64_t offset, std::span<std::byte> buffer, std::uint64_t size, const Reader& read);

 private:
  struct Slot {
    std::uint64_t page = UINT64_MAX;  // page number, UINT64_MAX when empty
    std::uint64_t used = 0;           // when last used: the slot used longest ago is replaced
    std::size_t length = 0;           // bytes held (the file's last page may be short)
    std::vector<std::byte> bytes;
  };
  // The most pages one served read touches (it need not start on a page).
  static constexpr std::size_t most_pages = served_read / page_size + 1;
  using Held = std::bitset<most_pages>;
  struct Run {
    std::uint64_t first_page = 0;
    IoBytes bytes;  // page-aligned and not zeroed: a read at a page's offset fills it
  };
  // Both take the lock once: a read looks up its pages, then keeps what it read.
  Held copy_held(std::uint64_t first_page, std::uint64_t last_page, std::uint64_t offset, std::span<std::byte> buffer);
  void keep(const std::vector<Run>& runs);

  std::mutex mutex_;
  std::array<Slot, pages> slots_;
  std::uint64_t clock_ = 0;
};

}  // namespace diskimg
