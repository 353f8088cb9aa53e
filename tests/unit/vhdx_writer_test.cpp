// The VHDX writer: what it writes reads back through the reader, in every kind of disk and
// sector size, and a writer stopped after any of its file writes leaves a file that reads
// as the disk was at one of its commits (the log makes metadata changes whole), or in the
// middle of one write in place, and that a writer opened on it again completes.
#include "crashing_sink.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vhdx/image.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>

#include <unistd.h>

using namespace diskimg;

namespace {

constexpr std::uint64_t disk_size = 6 << 20;
constexpr std::uint32_t block_size = 1 << 20;  // the smallest VHDX block

std::filesystem::path scratch(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("diskimg-vhdx-" + std::to_string(::getpid()) + "-" + name);
}

std::vector<std::byte> pattern(std::size_t length, unsigned seed) {
  std::vector<std::byte> data(length);
  for (std::size_t i = 0; i < length; ++i) data[i] = static_cast<std::byte>((i * 131 + seed) % 251 + 1);
  return data;
}

struct Write {
  std::uint64_t offset;
  std::vector<std::byte> data;
};

// Writes that touch every path of the writer: a new block, a write within one sector, a
// write across a block boundary, zeros that allocate nothing, a whole block, and a block
// written again; each one is committed before the next.
std::vector<Write> scenario(std::uint32_t sector) {
  return {
      {0, pattern(2 * sector, 1)},
      {3 * std::uint64_t{block_size} + 100, pattern(300, 2)},
      {2 * std::uint64_t{block_size} - sector, pattern(3 * sector, 3)},
      {4 * std::uint64_t{block_size}, std::vector<std::byte>(block_size)},
      {disk_size - block_size, pattern(block_size, 4)},
      {sector, pattern(sector, 5)},
  };
}

// The disk after each whole number of the scenario's writes, from `start`.
std::vector<std::vector<std::byte>> states(const std::vector<Write>& writes, std::vector<std::byte> start) {
  std::vector<std::vector<std::byte>> all{std::move(start)};
  for (const Write& write : writes) {
    all.push_back(all.back());
    std::copy(write.data.begin(), write.data.end(), all.back().begin() + static_cast<std::ptrdiff_t>(write.offset));
  }
  return all;
}

std::vector<std::byte> read_all(const std::filesystem::path& path) {
  std::vector<std::byte> content(disk_size);
  vhdx::VhdxImage::open(path)->read(0, content);
  return content;
}

// The k where `content` reads as state k, else the first where it reads, sector by sector, as state k or state k + 1: the disk
// at one of its commits or in the middle of the next write. A payload write in place (a
// fixed disk, a block already allocated) is no more atomic than a disk's own write; what
// must never be read is a sector that no write put there.
std::optional<std::size_t> between_states(const std::vector<std::byte>& content,
                                          const std::vector<std::vector<std::byte>>& states, std::uint32_t sector) {
  if (const auto exact = std::find(states.begin(), states.end(), content); exact != states.end()) {
    return static_cast<std::size_t>(exact - states.begin());
  }
  for (std::size_t k = 0; k < states.size(); ++k) {
    const std::vector<std::byte>& next = states[std::min(k + 1, states.size() - 1)];
    bool all = true;
    for (std::size_t at = 0; at < content.size() && all; at += sector) {
      const auto same = [&](const std::vector<std::byte>& state) {
        return std::equal(content.begin() + static_cast<std::ptrdiff_t>(at),
                          content.begin() + static_cast<std::ptrdiff_t>(at + sector),
                          state.begin() + static_cast<std::ptrdiff_t>(at));
      };
      all = same(states[k]) || same(next);
    }
    if (all) return k;
  }
  return std::nullopt;
}

struct Kind {
  vhdx::VhdxType type;
  std::uint32_t sector;
};

vhdx::CreateOptions options_for(const Kind& kind, const std::filesystem::path& parent) {
  vhdx::CreateOptions options;
  options.type = kind.type;
  if (kind.type == vhdx::VhdxType::differencing) {
    options.parent = parent;
  } else {
    options.size = disk_size;
    options.block_size = block_size;
    options.logical_sector_size = kind.sector;
  }
  return options;
}

// A parent with data in blocks 0, 1 and 3 (part of each), for the differencing runs.
std::vector<std::byte> make_parent(const std::filesystem::path& path, std::uint32_t sector) {
  std::filesystem::remove(path);
  vhdx::CreateOptions options;
  options.size = disk_size;
  options.block_size = block_size;
  options.logical_sector_size = sector;
  auto writer = vhdx::VhdxWriter::create(path, options);
  std::vector<std::byte> content(disk_size);
  for (const std::uint64_t offset : {std::uint64_t{4096}, std::uint64_t{block_size} + 8192, 3 * std::uint64_t{block_size}}) {
    const std::vector<std::byte> data = pattern(64 << 10, static_cast<unsigned>(offset % 97));
    std::copy(data.begin(), data.end(), content.begin() + static_cast<std::ptrdiff_t>(offset));
    writer->write(offset, data);
  }
  writer->close();
  return content;
}

// Runs the scenario into a new disk, stopped after `limit` file writes; returns how many
// were made.
std::size_t run(const std::filesystem::path& path, std::size_t limit, const Kind& kind,
                const std::filesystem::path& parent) {
  std::filesystem::remove(path);
  std::size_t writes = 0;
  try {
    auto writer = vhdx::VhdxWriter::create(std::make_unique<testing::CrashingSink>(path, limit, writes), path,
                                           options_for(kind, parent));
    for (const Write& write : scenario(kind.sector)) {
      writer->write(write.offset, write.data);
      writer->commit();
    }
    writer->close();
  } catch (const IoError&) {
  }
  return writes;
}

// The writes creation makes, before the first of the scenario.
std::size_t creation_writes(const Kind& kind, const std::filesystem::path& path, const std::filesystem::path& parent) {
  std::filesystem::remove(path);
  std::size_t writes = 0;
  vhdx::VhdxWriter::create(std::make_unique<testing::CrashingSink>(path, ~std::size_t{0}, writes), path,
                           options_for(kind, parent));
  return writes;
}

void stop_after_every_write(const Kind& kind) {
  CAPTURE(vhdx::to_string(kind.type));
  CAPTURE(kind.sector);
  const auto path = scratch("crash.vhdx");
  const auto parent = scratch("crash-parent.vhdx");
  const bool differencing = kind.type == vhdx::VhdxType::differencing;
  const std::vector<std::byte> start = differencing ? make_parent(parent, kind.sector) : std::vector<std::byte>(disk_size);
  const auto expected = states(scenario(kind.sector), start);
  const std::size_t created = creation_writes(kind, path, parent);
  const std::size_t total = run(path, ~std::size_t{0}, kind, parent);
  REQUIRE(total > created + scenario(kind.sector).size());
  REQUIRE(read_all(path) == expected.back());

  std::size_t previous = 0;  // the state the last stop read as: later stops never read older
  for (std::size_t limit = 0; limit <= total; ++limit) {
    CAPTURE(limit);
    run(path, limit, kind, parent);
    if (limit < created) {
      // A half-made file: refused, or an empty disk; never a crash.
      std::optional<std::vector<std::byte>> content;
      try {
        content = read_all(path);
      } catch (const Error&) {
      }
      if (content) CHECK(*content == start);
      continue;
    }
    const std::optional<std::size_t> state = between_states(read_all(path), expected, kind.sector);
    REQUIRE(state);  // reads as the disk at a commit, or in the middle of one write
    CHECK(*state >= previous);
    previous = *state;

    // Opening it again replays its log into the file; the scenario run again completes it.
    auto writer = vhdx::VhdxWriter::open_existing(path);
    for (const Write& write : scenario(kind.sector)) writer->write(write.offset, write.data);
    writer->close();
    CHECK(read_all(path) == expected.back());
  }
  CHECK(previous == expected.size() - 1);
  std::filesystem::remove(path);
  std::filesystem::remove(parent);
}

}  // namespace

TEST_CASE("a dynamic VHDX writer stopped after any of its file writes reads as one of its commits or as one write torn") {
  stop_after_every_write({vhdx::VhdxType::dynamic, 512});
  stop_after_every_write({vhdx::VhdxType::dynamic, 4096});
}

TEST_CASE("a fixed VHDX writer stopped after any of its file writes reads as one of its commits or as one write torn") {
  stop_after_every_write({vhdx::VhdxType::fixed, 512});
}

TEST_CASE("a differencing VHDX writer stopped after any of its file writes reads as one of its commits or as one write torn") {
  stop_after_every_write({vhdx::VhdxType::differencing, 512});
  stop_after_every_write({vhdx::VhdxType::differencing, 4096});
}

TEST_CASE("VHDX writes read back, and a writer opened again keeps what was there") {
  const auto path = scratch("reopen.vhdx");
  std::filesystem::remove(path);
  vhdx::CreateOptions options;
  options.size = disk_size;
  options.block_size = block_size;
  auto writer = vhdx::VhdxWriter::create(path, options);
  std::vector<std::byte> expected(disk_size);
  const std::vector<std::byte> first = pattern(10000, 7);
  writer->write(12345, first);
  std::copy(first.begin(), first.end(), expected.begin() + 12345);
  writer->close();
  CHECK(read_all(path) == expected);

  writer.reset();  // its file stays locked until then
  writer = vhdx::VhdxWriter::open_existing(path);
  const std::vector<std::byte> second = pattern(block_size + 3, 8);
  writer->write(block_size - 1, second);
  std::copy(second.begin(), second.end(), expected.begin() + block_size - 1);
  writer->close();
  CHECK(read_all(path) == expected);
  std::filesystem::remove(path);
}

TEST_CASE("a VHDX write past the disk's end is refused and changes nothing") {
  const auto path = scratch("past-end.vhdx");
  std::filesystem::remove(path);
  vhdx::CreateOptions options;
  options.size = disk_size;
  options.block_size = block_size;
  auto writer = vhdx::VhdxWriter::create(path, options);
  const std::vector<std::byte> data(4096, std::byte{1});
  CHECK_THROWS_AS(writer->write(disk_size - 512, data), UsageError);
  CHECK_THROWS_AS(writer->write(~std::uint64_t{0} - 100, data), UsageError);
  writer->close();
  CHECK(read_all(path) == std::vector<std::byte>(disk_size));
  std::filesystem::remove(path);
}

TEST_CASE("a VHDX creation is refused for sizes and sectors the format cannot hold") {
  const auto path = scratch("refused.vhdx");
  std::filesystem::remove(path);
  vhdx::CreateOptions options;
  options.size = disk_size;
  options.block_size = 3 << 20;
  CHECK_THROWS_AS(vhdx::VhdxWriter::create(path, options), UsageError);
  options.block_size = block_size;
  options.logical_sector_size = 1024;
  CHECK_THROWS_AS(vhdx::VhdxWriter::create(path, options), UsageError);
  options.logical_sector_size = 512;
  options.size = 65ull << 40;
  CHECK_THROWS_AS(vhdx::VhdxWriter::create(path, options), UsageError);
  CHECK_FALSE(std::filesystem::exists(path));
}
