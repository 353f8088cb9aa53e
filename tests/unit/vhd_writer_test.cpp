// What an interrupted VHD writer leaves: a file that reads as the disk did after some whole
// number of writes, or one that `check` reports as damaged; never one that silently reads
// wrong data. The writer is stopped after every possible number of its own file writes.
#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_sink.hpp>
#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/writer.hpp>

#include <doctest/doctest.h>

#include <algorithm>

#include <unistd.h>

using namespace diskimg;

namespace {

// A file that fails, as a crash would stop it, after `limit` writes.
class CrashingSink final : public ByteSink {
 public:
  // `writes` counts the writes done; it outlives the sink, which the writer owns.
  CrashingSink(const std::filesystem::path& path, std::size_t limit, std::size_t& writes)
      : file_(path, FileSink::Mode::create_new), limit_(limit), writes_(writes) {}
  void write(std::uint64_t offset, std::span<const std::byte> data) override {
    if (writes_ == limit_) throw IoError("simulated crash");
    ++writes_;
    file_.write(offset, data);
  }
  void read(std::uint64_t offset, std::span<std::byte> buffer) override { file_.read(offset, buffer); }
  std::uint64_t size() override { return file_.size(); }
  void sync() override {}
  std::string name() const override { return file_.name(); }

 private:
  FileSink file_;
  std::size_t limit_;
  std::size_t& writes_;
};

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

// The disk after each whole number of writes.
std::vector<std::vector<std::byte>> states(const std::vector<Write>& writes) {
  std::vector<std::vector<std::byte>> all{std::vector<std::byte>(disk_size)};
  for (const Write& write : writes) {
    all.push_back(all.back());
    std::copy(write.data.begin(), write.data.end(), all.back().begin() + static_cast<std::ptrdiff_t>(write.offset));
  }
  return all;
}

std::size_t run(const std::filesystem::path& path, std::size_t limit) {
  std::filesystem::remove(path);
  std::size_t writes = 0;
  auto sink = std::make_unique<CrashingSink>(path, limit, writes);
  vhd::CreateOptions options;
  options.size = disk_size;
  options.block_size = block_size;
  try {
    auto writer = vhd::VhdWriter::create(std::move(sink), path, options);
    for (const Write& write : scenario()) writer->write(write.offset, write.data);
  } catch (const IoError&) {
  }
  return writes;
}

}  // namespace

TEST_CASE("a writer stopped after any of its file writes leaves a consistent or a reported file") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("diskimg-crash-" + std::to_string(::getpid()) + ".vhd");
  const std::size_t total = run(path, ~std::size_t{0});
  const auto expected = states(scenario());
  REQUIRE(total > 10);
  std::size_t consistent = 0;
  std::size_t reported = 0;
  for (std::size_t limit = 0; limit <= total; ++limit) {
    CAPTURE(limit);
    run(path, limit);
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
  run(path, ~std::size_t{0});
  std::vector<std::byte> content(disk_size);
  vhd::VhdImage::open(path)->read(0, content);
  CHECK(content == expected.back());
  std::filesystem::remove(path);
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
