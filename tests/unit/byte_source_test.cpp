#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_sink.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/source/memory_source.hpp>
#include <diskimg/source/slice_source.hpp>
#include <diskimg/source/spliced_source.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include <unistd.h>

using namespace diskimg;

namespace {

std::filesystem::path temporary_file(const std::string& stem) {
  return std::filesystem::temp_directory_path() /
         (stem + "-" + std::to_string(::getpid()) + ".bin");
}

void write_at(const std::filesystem::path& path, std::uint64_t offset, std::string_view text) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(offset));
  file.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::string as_text(const std::vector<std::byte>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

TEST_CASE("a file source reads bytes beyond 4 GiB of a sparse file") {
  const auto path = temporary_file("diskimg-large");
  { std::ofstream create(path, std::ios::binary); }
  std::filesystem::resize_file(path, (5ULL << 30) + 4096);
  write_at(path, (9ULL << 29) + 3, "beyond four GiB");
  FileSource source(path);
  CHECK(source.size() == (5ULL << 30) + 4096);
  CHECK(source.sector_size() == 512);
  CHECK(as_text(source.read((9ULL << 29) + 3, 15)) == "beyond four GiB");
  std::filesystem::remove(path);
}

TEST_CASE("a read past the end names the offset and the source") {
  MemorySource source(std::vector<std::byte>(1000), 512, "tiny.img");
  std::array<std::byte, 16> buffer{};
  CHECK_THROWS_WITH_AS(source.read(990, buffer),
                       "tiny.img: read of 16 bytes at offset 0x3de runs past the end (1000 bytes)",
                       IoError);
  CHECK_THROWS_AS(source.read(~0ULL - 4, buffer), IoError);
  CHECK_NOTHROW(source.read(984, buffer));
}

TEST_CASE("a file truncated while open gives a short-read error at the offset") {
  const auto path = temporary_file("diskimg-shrinking");
  { std::ofstream create(path, std::ios::binary); }
  std::filesystem::resize_file(path, 8192);
  FileSource source(path);
  std::filesystem::resize_file(path, 4096);
  std::array<std::byte, 512> buffer{};
  CHECK_THROWS_WITH_AS(source.read(4096, buffer),
                       doctest::Contains("short read at offset 0x1000"), IoError);
  std::filesystem::remove(path);
}

TEST_CASE("opening a missing file or a directory is an I/O error naming it") {
  CHECK_THROWS_WITH_AS(FileSource("/nonexistent/disk.img"),
                       doctest::Contains("/nonexistent/disk.img: cannot open"), IoError);
  CHECK_THROWS_WITH_AS(FileSource("/"), doctest::Contains("not a regular file"), IoError);
}

TEST_CASE("a slice reads its window of the parent and nothing outside it") {
  std::vector<std::byte> bytes(4096);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i / 512);
  auto disk = std::make_shared<MemorySource>(bytes, 512, "disk");
  SliceSource slice(disk, 1024, 2048, "partition 1");
  CHECK(slice.size() == 2048);
  CHECK(slice.read(0, 1)[0] == std::byte{2});
  CHECK(slice.read(2047, 1)[0] == std::byte{5});
  std::array<std::byte, 2> two{};
  CHECK_THROWS_WITH_AS(slice.read(2047, two), doctest::Contains("partition 1"), IoError);
  CHECK_THROWS_AS(SliceSource(disk, 3072, 2048, "too long"), FormatError);
  CHECK_THROWS_AS(SliceSource(disk, ~0ULL, 2, "wraps"), FormatError);
}

TEST_CASE("a file sink sizes the file it has open, whatever its name now names") {
  const auto path = temporary_file("sink-resize");
  const auto moved = temporary_file("sink-resize-moved");
  FileSink sink(path, FileSink::Mode::create_new);
  std::filesystem::rename(path, moved);
  { std::ofstream(path) << "another file"; }  // a different file under the old name
  sink.resize(std::uint64_t{5} << 30);           // a hole: nothing is written
  CHECK(sink.size() == std::uint64_t{5} << 30);
  CHECK(std::filesystem::file_size(moved) == std::uint64_t{5} << 30);
  CHECK(std::filesystem::file_size(path) == 12);
  sink.resize(100);
  CHECK(std::filesystem::file_size(moved) == 100);
  std::filesystem::remove(path);
  std::filesystem::remove(moved);
}

TEST_CASE("a slice passes will_need on to its parent, moved and clipped to the window") {
  struct Hints final : ByteSource {
    std::uint64_t size() const override { return 1000; }
    std::uint32_t sector_size() const override { return 512; }
    std::string name() const override { return "hints"; }
    void will_need(std::uint64_t offset, std::uint64_t length) const override { told.push_back({offset, length}); }
    void read_inside(std::uint64_t, std::span<std::byte> buffer) const override {
      std::fill(buffer.begin(), buffer.end(), std::byte{0});
    }
    mutable std::vector<std::pair<std::uint64_t, std::uint64_t>> told;
  };
  const auto parent = std::make_shared<Hints>();
  const SliceSource slice(parent, 100, 50, "window");
  slice.will_need(10, 1000);
  slice.will_need(60, 5);  // past the window: nothing
  REQUIRE(parent->told.size() == 1);
  CHECK(parent->told[0] == std::pair<std::uint64_t, std::uint64_t>{110, 40});
}

TEST_CASE("a file source takes will_need for any range, past its end included, without an error") {
  char path[] = "/tmp/diskimg-will-need-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, 1 << 20) == 0);
  ::close(fd);
  const FileSource file(path);
  CHECK_NOTHROW(file.will_need(0, 1 << 20));
  CHECK_NOTHROW(file.will_need(512, ~0ULL));
  CHECK_NOTHROW(file.will_need(2 << 20, 4096));
  CHECK_NOTHROW(file.will_need(0, 0));
  ::unlink(path);
}

TEST_CASE("a spliced source reads the inset inside its range and the base around it") {
  std::vector<std::byte> base_bytes(4096, std::byte{0x11});
  std::fill(base_bytes.begin() + 3000, base_bytes.end(), std::byte{0});  // a tail of zeros
  const auto base = std::make_shared<diskimg::MemorySource>(base_bytes);
  const auto inset = std::make_shared<diskimg::MemorySource>(std::vector<std::byte>(1000, std::byte{0x22}));
  const diskimg::SplicedSource spliced(base, 1024, inset);
  CHECK(spliced.size() == 4096);
  const std::vector<std::byte> all = spliced.read(0, 4096);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::byte expected = i >= 1024 && i < 2024 ? std::byte{0x22} : base_bytes[i];
    REQUIRE_MESSAGE(all[i] == expected, "byte ", i);
  }
  CHECK(spliced.read(1020, 8) == std::vector<std::byte>{std::byte{0x11}, std::byte{0x11}, std::byte{0x11}, std::byte{0x11},
                                                       std::byte{0x22}, std::byte{0x22}, std::byte{0x22}, std::byte{0x22}});
  CHECK(spliced.next_data(1500) == 1500);
  CHECK_THROWS_AS(diskimg::SplicedSource(base, 3500, inset), diskimg::FormatError);
  CHECK_THROWS_AS(diskimg::SplicedSource(base, 5000, inset), diskimg::FormatError);
}
