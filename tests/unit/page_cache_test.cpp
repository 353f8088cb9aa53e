// The pages a file source keeps of its small reads: every byte read is the file's, and a
// page is read from the disk once while it is kept.
#include "source/page_cache.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace diskimg;

namespace {

// A "disk" of `size` patterned bytes that records each read the cache makes of it.
struct RecordedDisk {
  explicit RecordedDisk(std::size_t size) : bytes(size) {
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>(i * 7 % 253);
  }
  PageCache::Reader reader() {
    return [this](std::uint64_t offset, std::span<std::byte> buffer) {
      REQUIRE(offset + buffer.size() <= bytes.size());
      reads.emplace_back(offset, buffer.size());
      std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), buffer.size(), buffer.begin());
    };
  }
  std::vector<std::byte> read(PageCache& cache, std::uint64_t offset, std::size_t length) {
    std::vector<std::byte> out(length);
    cache.read(offset, out, bytes.size(), reader());
    return out;
  }
  bool same(const std::vector<std::byte>& got, std::uint64_t offset) const {
    return std::equal(got.begin(), got.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  std::vector<std::byte> bytes;
  std::vector<std::pair<std::uint64_t, std::size_t>> reads;
};

using Reads = std::vector<std::pair<std::uint64_t, std::size_t>>;

}  // namespace

TEST_CASE("the metadata reads of an open reach the disk once, in whole pages") {
  RecordedDisk disk(1'000'000);  // not a whole number of pages
  PageCache cache;
  CHECK(disk.same(disk.read(cache, 64, 784), 64));
  CHECK(disk.reads == Reads{{0, 4096}});
  CHECK(disk.same(disk.read(cache, 0, 8), 0));      // signature at 0: held
  CHECK(disk.same(disk.read(cache, 0, 512), 0));    // MBR: held
  CHECK(disk.same(disk.read(cache, 4088, 16), 4088));  // across pages: only page 1 read
  CHECK(disk.reads == Reads{{0, 4096}, {4096, 4096}});
  CHECK(disk.same(disk.read(cache, 999'990, 10), 999'990));  // the last page is short
  CHECK(disk.reads.back() == std::pair<std::uint64_t, std::size_t>{PageCache::page_size * 244, 1'000'000 - 4096 * 244});
  CHECK(disk.same(disk.read(cache, 999'424, 576), 999'424));  // the whole short page: held
  CHECK(disk.reads.size() == 3);
}

TEST_CASE("a read over 16 KiB uses the pages held and keeps none of its own") {
  RecordedDisk disk(1 << 20);
  PageCache cache;
  disk.read(cache, 8192, 1024);  // the MFT's first record, then its first 256 KiB
  CHECK(disk.same(disk.read(cache, 8192, 256 << 10), 8192));
  CHECK(disk.reads == Reads{{8192, 4096}, {12288, (256 << 10) - 4096}});
  disk.read(cache, 16384, 8);  // not kept by the big read
  CHECK(disk.reads.back() == std::pair<std::uint64_t, std::size_t>{16384, 4096});
  disk.read(cache, 4096 * 3 - 4, 8);  // a hole between held pages is read alone
  CHECK(disk.reads.back() == std::pair<std::uint64_t, std::size_t>{8192 + 4096, 4096});
}

TEST_CASE("reads of up to 16 KiB are kept, longer ones are not") {
  // 16 KiB: the record cache's chunks. A 20 KiB read is a scan's or a copy's piece.
  RecordedDisk disk(1 << 20);
  PageCache cache;
  disk.read(cache, 0, 16 << 10);
  disk.read(cache, 65536, 20 << 10);
  const std::size_t before = disk.reads.size();
  CHECK(disk.same(disk.read(cache, 12288, 8), 12288));  // the 16 KiB read's last page: held
  CHECK(disk.reads.size() == before);
  CHECK(disk.same(disk.read(cache, 65536, 8), 65536));  // the 20 KiB read's first page: read again
  CHECK(disk.reads.size() == before + 1);
}

TEST_CASE("held pages are replaced, used longest ago first") {
  RecordedDisk disk(1 << 20);
  PageCache cache;
  for (std::uint64_t page = 0; page < PageCache::pages; ++page) disk.read(cache, page * 4096, 1);
  disk.read(cache, 0, 1);                               // page 0 used again: page 1 is now the oldest
  disk.read(cache, PageCache::pages * 4096, 1);         // a new page takes page 1's place
  const std::size_t before = disk.reads.size();
  disk.read(cache, 0, 1);
  CHECK(disk.reads.size() == before);
  disk.read(cache, 4096, 1);
  CHECK(disk.reads.size() == before + 1);
}

TEST_CASE("a failed read is passed on and keeps nothing") {
  RecordedDisk disk(1 << 16);
  PageCache cache;
  std::vector<std::byte> out(16);
  CHECK_THROWS_AS(cache.read(0, out, disk.bytes.size(),
                             [](std::uint64_t, std::span<std::byte>) { throw std::runtime_error("bad sector"); }),
                  std::runtime_error);
  disk.read(cache, 0, 16);
  CHECK(disk.reads == Reads{{0, 4096}});
}

TEST_CASE("every read through the pages gives the disk's bytes") {
  RecordedDisk disk(3 * (1 << 20) + 1234);
  PageCache cache;
  std::mt19937_64 random(18);
  for (int i = 0; i < 3000; ++i) {
    const std::size_t length = 1 + random() % (i % 3 == 0 ? PageCache::served_read : 9000);
    const std::uint64_t offset = random() % (disk.bytes.size() - length + 1);
    REQUIRE_MESSAGE(disk.same(disk.read(cache, offset, length), offset), "read of ", length, " at ", offset);
  }
}
