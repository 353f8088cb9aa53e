// convert's promises that need a source or a callback a command line cannot give: a read
// error names its offset or becomes zeros that are listed; cancelling leaves nothing behind.
#include "disk_builder.hpp"

#include <diskimg/convert/convert.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/layout/rewrite.hpp>
#include <diskimg/source/memory_source.hpp>
#include <diskimg/vhd/image.hpp>

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <mutex>

#include <sys/stat.h>
#include <unistd.h>

using namespace diskimg;

namespace {

// A disk whose bytes in [bad, bad + length) cannot be read, as a failing sector would.
class FailingSource final : public ByteSource {
 public:
  FailingSource(SourcePtr base, std::uint64_t bad, std::uint64_t length)
      : base_(std::move(base)), bad_(bad), length_(length) {}
  std::uint64_t size() const override { return base_->size(); }
  std::uint32_t sector_size() const override { return 512; }
  std::string name() const override { return "failing disk"; }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    if (offset < bad_ + length_ && bad_ < offset + buffer.size()) {
      throw IoError(fmt::format("failing disk: read error at offset {:#x}", std::max(offset, bad_)));
    }
    base_->read(offset, buffer);
  }

 private:
  SourcePtr base_;
  std::uint64_t bad_;
  std::uint64_t length_;
};

// A disk that records what it is told it will need and what is read of it, in order.
class RecordingSource final : public ByteSource {
 public:
  struct Event {
    bool hint;  // will_need, else a read
    std::uint64_t offset;
    std::uint64_t length;
  };
  explicit RecordingSource(SourcePtr base) : base_(std::move(base)) {}
  std::uint64_t size() const override { return base_->size(); }
  std::uint32_t sector_size() const override { return 512; }
  std::string name() const override { return "recording disk"; }
  void will_need(std::uint64_t offset, std::uint64_t length) const override {
    const std::lock_guard lock(mutex_);
    events_.push_back({true, offset, length});
  }
  std::vector<Event> events() const {
    const std::lock_guard lock(mutex_);
    return events_;
  }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    {
      const std::lock_guard lock(mutex_);
      events_.push_back({false, offset, buffer.size()});
    }
    base_->read(offset, buffer);
  }

 private:
  SourcePtr base_;
  mutable std::mutex mutex_;
  mutable std::vector<Event> events_;
};

std::filesystem::path scratch(const std::string& name) {
  return std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".vhd");
}

// An unpartitioned 4 MiB disk full of non-zero bytes: everything is copied.
SourcePtr patterned_disk() {
  std::vector<std::byte> bytes(4 << 20);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i % 251 + 1);
  return std::make_shared<MemorySource>(std::move(bytes));
}

bool leftovers(const std::filesystem::path& output) {
  for (const auto& entry : std::filesystem::directory_iterator(output.parent_path())) {
    if (entry.path().filename().string().find(output.filename().string()) != std::string::npos) return true;
  }
  return false;
}

// 40 MiB of non-zero bytes (more than the 32 MiB the copy hints ahead), recorded.
std::shared_ptr<RecordingSource> recorded_40_mib(std::vector<std::byte> first_sector = {}) {
  std::vector<std::byte> bytes(40 << 20);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i % 251 + 1);
  std::copy(first_sector.begin(), first_sector.end(), bytes.begin());
  return std::make_shared<RecordingSource>(std::make_shared<MemorySource>(std::move(bytes)));
}

// Every read of the copy (the reads after the first hint) lies inside a range hinted before
// it, the hints run 32 MiB ahead of it (or to `end`), and together they cover `hinted` bytes.
void check_hinted_ahead(const RecordingSource& recording, std::size_t reads, std::uint64_t end, std::uint64_t hinted) {
  std::vector<RecordingSource::Event> hints;
  std::size_t copy_reads = 0;
  std::uint64_t covered_when_last_hinted = 0;
  for (const RecordingSource::Event& event : recording.events()) {
    if (event.hint) {
      hints.push_back(event);
      covered_when_last_hinted = event.offset + event.length;
      continue;
    }
    if (hints.empty()) continue;  // the layout's own reads before the copy
    ++copy_reads;
    const bool inside = std::any_of(hints.begin(), hints.end(), [&](const RecordingSource::Event& hint) {
      return hint.offset <= event.offset && event.offset + event.length <= hint.offset + hint.length;
    });
    CHECK_MESSAGE(inside, "read at ", event.offset, " was not hinted first");
    CHECK(covered_when_last_hinted >= std::min<std::uint64_t>(event.offset + (32 << 20), end));
  }
  CHECK(copy_reads == reads);
  std::uint64_t hinted_bytes = 0;
  for (const RecordingSource::Event& hint : hints) hinted_bytes += hint.length;
  CHECK(hinted_bytes == hinted);  // each piece once
}

}  // namespace

TEST_CASE("a read error stops the conversion, names the offset and leaves no file") {
  const Disk disk = Disk::from_source(std::make_shared<FailingSource>(patterned_disk(), 0x123400, 512), {});
  const auto output = scratch("read-error");
  CHECK_THROWS_WITH_AS(convert(disk, output), doctest::Contains("read error at offset 0x123400"), IoError);
  CHECK_FALSE(leftovers(output));
}

TEST_CASE("with continue_on_read_error the unreadable sectors become zeros and are listed") {
  const auto base = patterned_disk();
  const Disk disk = Disk::from_source(std::make_shared<FailingSource>(base, 0x123400, 1024), {});
  const auto output = scratch("read-error-continued");
  ConvertOptions options;
  options.continue_on_read_error = true;
  const ConvertResult result = convert(disk, output, options);
  REQUIRE(result.unreadable.size() == 1);
  CHECK(result.unreadable[0].offset == 0x123400);
  CHECK(result.unreadable[0].length == 1024);
  const auto written = vhd::VhdImage::open(output);
  std::vector<std::byte> copy(written->size());
  written->read(0, copy);
  std::vector<std::byte> expected = base->read(0, static_cast<std::size_t>(base->size()));
  std::fill_n(expected.begin() + 0x123400, 1024, std::byte{0});
  CHECK(copy == expected);
  std::filesystem::remove(output);
}

TEST_CASE("the copy tells the source of every piece before reading it, 32 MiB ahead") {
  const auto recording = recorded_40_mib();
  const Disk disk = Disk::from_source(recording, {});
  const auto output = scratch("hinted");
  convert(disk, output);
  std::filesystem::remove(output);
  check_hinted_ahead(*recording, 40, recording->size(), recording->size());  // 1 MiB pieces
}

TEST_CASE("one volume in a new MBR passes the hints on to the volume, not the new MBR") {
  // An MBR disk with one partition from 1 MiB to the end: its volume is converted alone.
  const SinglePartition partition{0x07, false, 2048, (39 << 20) / 512};
  const auto recording = recorded_40_mib(single_partition_mbr(0x12345678, partition));
  const Disk disk = Disk::from_source(recording, {});
  ConvertOptions options;
  options.volume = 0;
  const auto output = scratch("hinted-volume");
  convert(disk, output, options);
  std::filesystem::remove(output);
  // The new MBR and the zeros up to 1 MiB are not read from the disk; the volume's 39 MiB are.
  check_hinted_ahead(*recording, 39, recording->size(), 39 << 20);
}

TEST_CASE("a cancelled conversion removes its partial output") {
  const Disk disk = Disk::from_source(patterned_disk(), {});
  const auto output = scratch("cancelled");
  ConvertOptions options;
  unsigned calls = 0;
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    CHECK(done <= total);
    return ++calls < 1;  // stop at the first report
  };
  CHECK_THROWS_WITH_AS(convert(disk, output, options), "convert: cancelled", CancelledError);
  CHECK(calls == 1);
  CHECK_FALSE(leftovers(output));
}

TEST_CASE("an existing output is refused by type, in the library's own words, and kept") {
  const Disk disk = Disk::from_source(patterned_disk(), {});
  const auto output = scratch("exists");
  { std::ofstream(output) << "keep me"; }
  try {
    convert(disk, output);
    FAIL("no error");
  } catch (const OutputExistsError& error) {
    CHECK(std::string(error.what()) == output.string() + " exists");  // no command-line flag
    CHECK(error.where().structure == output.string());
  }
  std::ifstream kept(output);
  std::string text;
  std::getline(kept, text);
  CHECK(text == "keep me");
  std::filesystem::remove(output);
}

TEST_CASE("progress reaches the total") {
  const Disk disk = Disk::from_source(patterned_disk(), {});
  const auto output = scratch("progress");
  ConvertOptions options;
  std::uint64_t last = 0;
  std::uint64_t expected_total = 0;
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    CHECK(done >= last);
    last = done;
    expected_total = total;
    return true;
  };
  convert(disk, output, options);
  CHECK(last == expected_total);
  CHECK(expected_total == disk.size());
  std::filesystem::remove(output);
}

TEST_CASE("a disk that is no regular file converts to an output only its owner may read") {
  // A block device, or here a character device: its bits say nothing about who may read a
  // copy of the disk. Neither the umask nor the device's own bits give the output more.
  const Disk disk = Disk::from_source(patterned_disk(), {ContainerFormat::raw, 4 << 20, {"/dev/null"}});
  for (const OutputFormat format : {OutputFormat::vhd_dynamic, OutputFormat::raw}) {
    const auto output = scratch("device-source");
    ConvertOptions options;
    options.format = format;
    const mode_t old = ::umask(0);
    convert(disk, output, options);
    ::umask(old);
    CHECK(std::filesystem::status(output).permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    std::filesystem::remove(output);
  }
}
