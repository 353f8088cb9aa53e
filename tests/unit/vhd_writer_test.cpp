// What an interrupted VHD writer leaves: a file that reads as the disk did after some whole
// number of writes, or one that `check` reports as damaged; never one that silently reads
// wrong data. The writer is stopped after every possible number of its own file writes.
#include "core/load.hpp"
#include "crashing_sink.hpp"
#include "vhd/vhd_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_sink.hpp>
#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/writer.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>

#include <unistd.h>

using namespace diskimg;

namespace {

constexpr std::uint64_t disk_size = 4 << 20;
constexpr std::uint32_t block_size = 512 << 10;

struct Write {
  std::uint64_t offset;
  std::vector<std::byte> data;
};

std::vector<Write> scenario() {
  const auto filled = [](std::size_t length, unsigned seed) {
    std::vector<std::byte> data(length);
    for (std::size_t i = 0; i < length; ++i) data[i] = static_cast<std::byte>((i * 131 + seed) % 251 + 1);
    return data;
  };
  return {
      {0, filled(4096, 1)},                              // allocates block 0
      {3 * block_size + 1000, filled(5000, 2)},          // block 3, partial sectors
      {8192, filled(512, 3)},                            // block 0 again: bitmap update
      {block_size, std::vector<std::byte>(block_size)},  // zeros: nothing allocated
      {disk_size - block_size, filled(block_size, 4)},   // the last block, whole
  };
}

// The disk after each whole number of writes, from `start`.
std::vector<std::vector<std::byte>> states(const std::vector<Write>& writes,
                                          std::vector<std::byte> start = std::vector<std::byte>(disk_size)) {
  std::vector<std::vector<std::byte>> all{std::move(start)};
  for (const Write& write : writes) {
    all.push_back(all.back());
    std::copy(write.data.begin(), write.data.end(), all.back().begin() + static_cast<std::ptrdiff_t>(write.offset));
  }
  return all;
}

// A dynamic parent for the differencing runs: data in blocks 1 and 3 and part of block 0.
std::vector<std::byte> make_parent(const std::filesystem::path& path) {
  std::filesystem::remove(path);
  vhd::CreateOptions options;
  options.size = disk_size;
  options.block_size = block_size;
  auto writer = vhd::VhdWriter::create(path, options);
  std::vector<std::byte> content(disk_size);
  for (const std::uint64_t offset : {std::uint64_t{block_size}, 3 * std::uint64_t{block_size}, std::uint64_t{4096}}) {
    const std::size_t length = offset == 4096 ? 8192 : block_size;
    for (std::size_t i = 0; i < length; ++i) content[offset + i] = static_cast<std::byte>((i * 17 + offset / 4096) % 253 + 1);
    writer->write(offset, std::span(content).subspan(offset, length));
  }
  writer->sync();
  return content;
}

// Runs the scenario into a new disk at `path` (over `parent` when given), stopped after
// `limit` writes; returns how many it made.
std::size_t run(const std::filesystem::path& path, std::size_t limit,
                const std::filesystem::path& parent = {}) {
  std::filesystem::remove(path);
  std::size_t writes = 0;
  auto sink = std::make_unique<testing::CrashingSink>(path, limit, writes);
  vhd::CreateOptions options;
  options.size = disk_size;
  options.block_size = block_size;
  if (!parent.empty()) {
    options.type = vhd::VhdType::differencing;
    options.parent = parent;
  }
  try {
    auto writer = vhd::VhdWriter::create(std::move(sink), path, options);
    for (const Write& write : scenario()) writer->write(write.offset, write.data);
  } catch (const IoError&) {
  }
  return writes;
}

}  // namespace

namespace {

// Stops the scenario after every one of its file writes and checks what each leaves.
void stop_after_every_write(bool differencing) {
  CAPTURE(differencing);
  const auto path = std::filesystem::temp_directory_path() /
                    ("diskimg-crash-" + std::to_string(::getpid()) + ".vhd");
  const auto parent_path = std::filesystem::temp_directory_path() /
                           ("diskimg-crash-parent-" + std::to_string(::getpid()) + ".vhd");
  const std::filesystem::path parent = differencing ? parent_path : std::filesystem::path{};
  const auto expected = differencing ? states(scenario(), make_parent(parent_path)) : states(scenario());
  const std::size_t total = run(path, ~std::size_t{0}, parent);
  REQUIRE(total > 10);
  std::size_t consistent = 0;
  std::size_t reported = 0;
  for (std::size_t limit = 0; limit <= total; ++limit) {
    CAPTURE(limit);
    run(path, limit, parent);
    const vhd::CheckReport report = vhd::check_vhd(path);
    std::vector<std::byte> content(disk_size);
    bool readable = false;
    try {
      vhd::VhdImage::open(path)->read(0, content);
      readable = true;
    } catch (const Error&) {
    }
    const bool matches = readable && std::find(expected.begin(), expected.end(), content) != expected.end();
    if (report.ok()) {
      CHECK(matches);  // check passes only on a file that reads as a real state of the disk
      ++consistent;
    } else {
      ++reported;
    }
    if (readable && !matches) CHECK_FALSE(report.ok());
  }
  CHECK(consistent > 0);
  CHECK(reported > 0);
  // The complete run reads as the last state.
  run(path, ~std::size_t{0}, parent);
  std::vector<std::byte> content(disk_size);
  vhd::VhdImage::open(path)->read(0, content);
  CHECK(content == expected.back());
  std::filesystem::remove(path);
  std::filesystem::remove(parent_path);
}

}  // namespace

TEST_CASE("a writer stopped after any of its file writes leaves a consistent or a reported file") {
  stop_after_every_write(false);
}

TEST_CASE("a differencing writer stopped after any of its file writes leaves a consistent or a reported file") {
  stop_after_every_write(true);
}

namespace {

// A VHD in memory whose writes fail on demand: the next write that the armed test picks
// throws IoError and writes nothing, once (a transient error: a disk that was full, a
// share that was away).
class FlakySink final : public ByteSink {
 public:
  using Pick = std::function<bool(std::uint64_t offset, std::span<const std::byte> data)>;
  void fail_next(Pick pick) { pick_ = std::move(pick); }
  bool armed() const { return static_cast<bool>(pick_); }
  const std::vector<std::byte>& bytes() const { return bytes_; }

  void write(std::uint64_t offset, std::span<const std::byte> data) override {
    if (pick_ && pick_(offset, data)) {
      pick_ = nullptr;
      throw IoError("simulated transient failure");
    }
    if (bytes_.size() < offset + data.size()) bytes_.resize(offset + data.size());
    std::copy(data.begin(), data.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  void read(std::uint64_t offset, std::span<std::byte> buffer) override {
    std::fill(buffer.begin(), buffer.end(), std::byte{0});
    if (offset >= bytes_.size()) return;
    const auto length = std::min<std::uint64_t>(buffer.size(), bytes_.size() - offset);
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), length, buffer.begin());
  }
  std::uint64_t size() override { return bytes_.size(); }
  void resize(std::uint64_t size) override { bytes_.resize(size); }
  void sync() override {}
  std::string name() const override { return "flaky.vhd"; }

 private:
  std::vector<std::byte> bytes_;
  Pick pick_;
};

// The only 4-byte writes are BAT entries.
bool bat_entry(std::uint64_t, std::span<const std::byte> data) { return data.size() == 4; }

// The footer at the end of the file (its copy at 0 is written only on creation).
bool end_footer(std::uint64_t offset, std::span<const std::byte> data) {
  return offset != 0 && data.size() == 512 &&
         std::equal(data.begin(), data.begin() + 8, "conectix",
                    [](std::byte b, char c) { return b == static_cast<std::byte>(c); });
}

std::vector<std::byte> pattern(std::size_t length, unsigned seed) {
  std::vector<std::byte> data(length);
  for (std::size_t i = 0; i < length; ++i) data[i] = static_cast<std::byte>((i * 7 + seed) % 255 + 1);
  return data;
}

// The BAT's allocated entries, read from the file's bytes.
std::vector<std::uint32_t> allocated_entries(const std::vector<std::byte>& file) {
  const auto header = load<vhd::disk::DynamicHeader>(file, 512);
  std::vector<std::uint32_t> entries;
  for (std::uint32_t block = 0; block < header.max_table_entries.value(); ++block) {
    const auto entry =
        load<boost::endian::big_uint32_buf_t>(file, header.table_offset.value() + 4 * block).value();
    if (entry != vhd::disk::unallocated) entries.push_back(entry);
  }
  return entries;
}

std::filesystem::path temporary(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("diskimg-" + name + "-" + std::to_string(::getpid()) + ".vhd");
}

// The file, put at `path` (where the writer was told it would be), checks clean, reads as
// `expected`, and has no two blocks in one place.
void require_sound(const std::vector<std::byte>& file, const std::filesystem::path& path,
                   const std::vector<std::byte>& expected) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
  const vhd::CheckReport report = vhd::check_vhd(path);
  CHECK_MESSAGE(report.ok(), (report.ok() ? "" : report.problems.front()));
  std::vector<std::byte> content(expected.size());
  vhd::VhdImage::open(path)->read(0, content);
  std::filesystem::remove(path);
  const auto first_difference = static_cast<std::size_t>(
      std::mismatch(content.begin(), content.end(), expected.begin()).first - content.begin());
  CHECK(first_difference == content.size());  // no byte differs
  const std::vector<std::uint32_t> entries = allocated_entries(file);
  CHECK(std::set<std::uint32_t>(entries.begin(), entries.end()).size() == entries.size());
}

// Block 2's first allocation fails at the write `pick` chooses. Then another block is
// allocated (it must take a place of its own and show nothing of the failed write), the
// failed block is written elsewhere (it must read as if the failed write never happened),
// and finally the failed write is made again.
void fail_one_allocation(const FlakySink::Pick& pick) {
  const auto path = temporary("flaky");
  auto owned = std::make_unique<FlakySink>();
  FlakySink& sink = *owned;
  vhd::CreateOptions options;
  options.size = disk_size;
  options.block_size = block_size;
  const auto writer = vhd::VhdWriter::create(std::move(owned), path, options);
  std::vector<std::byte> expected(disk_size);
  const auto write = [&](std::uint64_t offset, const std::vector<std::byte>& data) {
    writer->write(offset, data);
    std::copy(data.begin(), data.end(), expected.begin() + static_cast<std::ptrdiff_t>(offset));
  };
  write(0, pattern(4096, 1));
  sink.fail_next(pick);
  const std::vector<std::byte> failed = pattern(4096, 2);
  CHECK_THROWS_AS(writer->write(2 * block_size, failed), IoError);
  REQUIRE_FALSE(sink.armed());
  write(3 * block_size + 8192, pattern(4096, 3));
  write(2 * block_size + 65536, pattern(4096, 4));
  require_sound(sink.bytes(), path, expected);
  write(2 * block_size, failed);
  require_sound(sink.bytes(), path, expected);
}

}  // namespace

TEST_CASE("a block allocation whose BAT entry write fails leaves the writer as it was") {
  fail_one_allocation(bat_entry);
}

TEST_CASE("a block allocation whose footer write fails leaves the writer as it was") {
  fail_one_allocation(end_footer);
}

TEST_CASE("a sector bitmap update whose write fails is made by the next write") {
  // A differencing disk over a parent that holds data: a sector whose bit stays clear
  // reads as the parent's.
  const auto parent_path = temporary("flaky-parent");
  std::filesystem::remove(parent_path);
  std::vector<std::byte> expected = pattern(disk_size, 5);
  {
    vhd::CreateOptions options;
    options.size = disk_size;
    options.block_size = block_size;
    vhd::VhdWriter::create(parent_path, options)->write(0, expected);
  }
  const auto path = temporary("flaky-child");
  auto owned = std::make_unique<FlakySink>();
  FlakySink& sink = *owned;
  vhd::CreateOptions options;
  options.type = vhd::VhdType::differencing;
  options.parent = parent_path;
  const auto writer = vhd::VhdWriter::create(std::move(owned), path, options);
  const auto write = [&](std::uint64_t offset, const std::vector<std::byte>& data) {
    writer->write(offset, data);
    std::copy(data.begin(), data.end(), expected.begin() + static_cast<std::ptrdiff_t>(offset));
  };
  write(0, pattern(4096, 6));  // allocates block 0
  // The only 512-byte write that is no footer: the bitmap of block 0.
  sink.fail_next([](std::uint64_t offset, std::span<const std::byte> data) {
    return data.size() == 512 && !end_footer(offset, data);
  });
  const std::vector<std::byte> failed = pattern(4096, 7);
  CHECK_THROWS_AS(writer->write(8192, failed), IoError);
  REQUIRE_FALSE(sink.armed());
  write(8192, failed);
  require_sound(sink.bytes(), path, expected);
  std::filesystem::remove(parent_path);
}

TEST_CASE("CHS geometry follows the specification's appendix") {
  // 16 MiB = 32768 sectors: 17 sectors per track, 1927 cylinders x heads, 2 heads raised
  // to 4, 481 cylinders. 40 GiB is above 65535 x 16 x 63 sectors: 255 sectors, 16 heads.
  const vhd::Geometry small = vhd::chs_geometry(32768);
  CHECK(small.sectors_per_track == 17);
  CHECK(small.heads == 4);
  CHECK(small.cylinders == 481);
  const vhd::Geometry large = vhd::chs_geometry(40ULL << 21);
  CHECK(large.sectors_per_track == 255);
  CHECK(large.heads == 16);
  CHECK(large.cylinders == (40ULL << 21) / 255 / 16);
  const vhd::Geometry cap = vhd::chs_geometry(~0ULL >> 8);
  CHECK(cap.cylinders == 65535);
}

TEST_CASE("sizes near 2^64 are refused, not wrapped to a small disk") {
  // Rounding 2^64 - 1 up to whole sectors wrapped to 0 bytes: a fixed disk of nothing.
  for (const vhd::VhdType type : {vhd::VhdType::fixed, vhd::VhdType::dynamic}) {
    vhd::CreateOptions options;
    options.type = type;
    options.size = ~std::uint64_t{0} - 100;
    const auto path = std::filesystem::temp_directory_path() / ("huge-" + std::to_string(::getpid()) + ".vhd");
    CHECK_THROWS_AS(vhd::VhdWriter::create(path, options), UsageError);
    CHECK_FALSE(std::filesystem::exists(path));
  }
}

TEST_CASE("a writer opened on a file whose size is not whole sectors puts new blocks on sector boundaries") {
  // Found by vhd_write_fuzzer: 124 bytes more before the end footer, and the next block went
  // to file size - 512, between two sectors; its BAT entry (a sector number) pointed 124
  // bytes before the data, which then read back wrong.
  const auto path = temporary("unaligned");
  vhd::CreateOptions options;
  options.size = disk_size;
  options.block_size = block_size;
  vhd::VhdWriter::create(path, options)->write(0, pattern(4096, 1));
  std::vector<std::byte> file(std::filesystem::file_size(path));
  std::ifstream(path, std::ios::binary).read(reinterpret_cast<char*>(file.data()), static_cast<std::streamsize>(file.size()));
  file.insert(file.end() - 512, 124, std::byte{0});
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
  const std::vector<std::byte> second = pattern(4096, 2);
  vhd::VhdWriter::open_existing(path)->write(block_size, second);
  std::vector<std::byte> read(second.size());
  vhd::VhdImage::open(path)->read(block_size, read);
  std::filesystem::remove(path);
  CHECK(read == second);
}

TEST_CASE("a differencing writer over more blocks than its bitmap cache holds keeps every block's sectors") {
  // The writer keeps a bounded number of sector bitmaps; blocks written again after theirs
  // left the cache must mark their new sectors on the bitmap in the file, not on a blank.
  constexpr std::uint64_t blocks = 600;  // over twice the cache's 256 slots
  constexpr std::size_t head = 4096;     // the part of each block written, by parent and child
  const auto parent_path = temporary("many-parent");
  std::filesystem::remove(parent_path);
  std::vector<std::vector<std::byte>> expected(blocks, std::vector<std::byte>(head));
  {
    vhd::CreateOptions options;
    options.size = blocks * block_size;
    options.block_size = block_size;
    auto parent = vhd::VhdWriter::create(parent_path, options);
    for (std::uint64_t block = 0; block < blocks; block += 7) {
      expected[block] = pattern(head, 3);
      parent->write(block * block_size, expected[block]);
    }
  }
  const auto path = temporary("many-child");
  std::filesystem::remove(path);
  vhd::CreateOptions options;
  options.type = vhd::VhdType::differencing;
  options.parent = parent_path;
  const auto read_heads = [&](auto& image) {
    std::vector<std::vector<std::byte>> heads(blocks, std::vector<std::byte>(head));
    for (std::uint64_t block = 0; block < blocks; ++block) image.read(block * block_size, heads[block]);
    return heads;
  };
  {
    auto child = vhd::VhdWriter::create(path, options);
    for (const std::uint64_t sector : {0, 5, 1}) {  // three passes over every block
      for (std::uint64_t block = 0; block < blocks; ++block) {
        const std::vector<std::byte> data = pattern(512, static_cast<unsigned>(block + sector));
        child->write(block * block_size + sector * 512, data);
        std::copy(data.begin(), data.end(), expected[block].begin() + static_cast<std::ptrdiff_t>(sector * 512));
      }
    }
    CHECK(read_heads(*child) == expected);
  }
  CHECK(read_heads(*vhd::VhdImage::open(path)) == expected);
  CHECK(vhd::check_vhd(path).ok());
  std::filesystem::remove(path);
  std::filesystem::remove(parent_path);
}
