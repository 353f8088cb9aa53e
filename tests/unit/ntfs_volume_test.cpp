// Hostile edits of a real volume (tests/fixtures/ntfs/ntfs-4k, made by mkntfs and ntfs-3g):
// each fault is an error for the record it is in, and the rest of the volume stays readable.
#include "disk_builder.hpp"
#include "sanitizers.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/catalog.hpp>
#include <diskimg/ntfs/listing.hpp>
#include <diskimg/ntfs/volume.hpp>
#include <diskimg/usedmap/used_map.hpp>
#include <diskimg/source/memory_source.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

using namespace diskimg;
using namespace diskimg::ntfs;

namespace {

// The fixture's growth-stage files as istat described them (stages.json).
nlohmann::json stages() {
  std::ifstream file(std::string(DISKIMG_FIXTURES) + "/ntfs/ntfs-4k.stages.json");
  return nlohmann::json::parse(file);
}
const nlohmann::json& stage(const nlohmann::json& all, std::string_view path) {
  for (const auto& entry : all) {
    if (entry["path"] == path) return entry;
  }
  throw std::runtime_error("no stage " + std::string(path));
}
const nlohmann::json all_stages = stages();
const std::uint64_t stage1_record = stage(all_stages, "/growth/stage1-resident.txt")["record"];
const std::uint64_t stage2_record = stage(all_stages, "/growth/stage2-nonresident.bin")["record"];
const nlohmann::json& stage3 = stage(all_stages, "/growth/stage3-attrlist.bin");
const nlohmann::json& stage4 = stage(all_stages, "/growth/stage4-nonresident-attrlist.bin");
const std::uint64_t stage3_record = stage3["record"];
// A child record of stage 3 that holds a $DATA extent.
const std::uint64_t stage3_child = [] {
  for (const auto& record : stage3["data_records"]) {
    if (record != stage3["record"]) return record.get<std::uint64_t>();
  }
  return std::uint64_t{0};
}();

struct Fixture {
  std::vector<std::byte> bytes = test::load_fixture("ntfs/ntfs-4k.img.gz");

  std::shared_ptr<const Volume> open() const {
    return Volume::open(std::make_shared<MemorySource>(bytes, 512, "ntfs-4k.img"));
  }
  // Where a record lies in the image, found through the $MFT's own runs.
  std::uint64_t record_offset(std::uint64_t number) const {
    const auto volume = open();
    return *volume->open_stream(volume->read_file(0))->volume_offset(number * 1024);
  }
  // The offset in the image of the first attribute of `type` in a record.
  std::uint64_t attribute_offset(std::uint64_t number, std::uint32_t type) const {
    const std::uint64_t record = record_offset(number);
    std::uint64_t at = record + u16(record + 0x14);
    while (u32(at) != type) {
      REQUIRE(u32(at) != 0xFFFFFFFF);
      at += u32(at + 4);
    }
    return at;
  }
  std::uint32_t u16(std::uint64_t at) const {
    return std::to_integer<std::uint32_t>(bytes[at]) | (std::to_integer<std::uint32_t>(bytes[at + 1]) << 8);
  }
  std::uint32_t u32(std::uint64_t at) const { return u16(at) | (u16(at + 2) << 16); }
  void put64(std::uint64_t at, std::uint64_t value) {
    // Never across the update sequence slot of a 512-byte stride.
    REQUIRE((at % 512) + 8 <= 510);
    for (unsigned i = 0; i < 8; ++i) bytes[at + i] = static_cast<std::byte>(value >> (8 * i));
  }
  // Edits a record as plain bytes: its update sequence is undone first and redone after, so
  // the edit may move bytes across the end of a 512-byte stride.
  void edit_record(std::uint64_t number, const std::function<void(std::span<std::byte>)>& edit) {
    const std::span<std::byte> record(bytes.data() + record_offset(number), 1024);
    const std::size_t usa = get(record, 4, 2);
    const std::size_t strides = get(record, 6, 2) - 1;
    for (std::size_t i = 1; i <= strides; ++i) std::copy_n(&record[usa + 2 * i], 2, &record[i * 512 - 2]);
    edit(record);
    for (std::size_t i = 1; i <= strides; ++i) {
      std::copy_n(&record[i * 512 - 2], 2, &record[usa + 2 * i]);
      std::copy_n(&record[usa], 2, &record[i * 512 - 2]);
    }
  }
  // Appends a sparse run of `clusters` to $MFT's unnamed $DATA (record 0) and makes its
  // allocated and data sizes cover it; the initialized size becomes `initialized`, or the
  // whole data size.
  void add_sparse_mft_tail(std::uint64_t clusters, std::optional<std::uint64_t> initialized = {}) {
    add_sparse_tail(0, clusters, initialized);
  }
  // The same for the unnamed $DATA of any record.
  void add_sparse_tail(std::uint64_t number, std::uint64_t clusters, std::optional<std::uint64_t> initialized = {}) {
    add_tail(number, clusters, true, initialized);
  }
  // The same with a run that maps clusters: the last run's clusters again (an LCN delta of
  // 0), as often as asked.
  void add_mapped_tail(std::uint64_t number, std::uint64_t clusters) { add_tail(number, clusters, false, {}); }
  void add_tail(std::uint64_t number, std::uint64_t clusters, bool sparse, std::optional<std::uint64_t> initialized) {
    edit_record(number, [&](std::span<std::byte> record) {
      std::size_t data = get(record, 0x14, 2);
      while (get(record, data, 4) != 0x80) data += get(record, data + 4, 4);
      if (clusters != 0) append_run(record, data, clusters, sparse);
      const std::uint64_t last_vcn = get(record, data + 0x18, 8) + clusters;
      const std::uint64_t size = (last_vcn + 1) * 4096;
      put(record, data + 0x18, 8, last_vcn);
      put(record, data + 0x28, 8, size);
      put(record, data + 0x30, 8, size);
      put(record, data + 0x38, 8, initialized.value_or(size));
    });
  }
  // Appends a run (sparse, or of the last run's clusters again) to the mapping pairs of the
  // nonresident attribute at `data`, growing the attribute (and moving those after it).
  static void append_run(std::span<std::byte> record, std::size_t data, std::uint64_t clusters, bool sparse) {
    const std::size_t length = get(record, data + 4, 4);
    std::size_t end = data + get(record, data + 0x20, 2);  // the mapping pairs' terminator
    while (record[end] != std::byte{0}) {
      const unsigned header = std::to_integer<unsigned>(record[end]);
      end += 1 + (header & 0x0F) + (header >> 4);
    }
    // A run header 0x08: eight bytes of length, no LCN (sparse); 0x18: and an LCN delta of
    // one byte, 0. Then the terminator.
    const std::size_t grown = (end + 11 - data + 7) / 8 * 8;
    const std::size_t in_use = get(record, 0x18, 4);
    REQUIRE(in_use + grown - length <= record.size());
    std::copy_backward(&record[data + length], &record[in_use], &record[in_use + grown - length]);
    std::fill(&record[end], &record[data + grown], std::byte{0});
    put(record, end, 1, sparse ? 0x08 : 0x18);
    put(record, end + 1, 8, clusters);
    if (!sparse) put(record, end + 9, 1, 0);
    put(record, data + 4, 4, grown);
    put(record, 0x18, 4, in_use + grown - length);
  }
  static std::uint64_t get(std::span<const std::byte> bytes, std::size_t at, unsigned length) {
    std::uint64_t value = 0;
    for (unsigned i = 0; i < length; ++i) value |= std::to_integer<std::uint64_t>(bytes[at + i]) << (8 * i);
    return value;
  }
  static void put(std::span<std::byte> bytes, std::size_t at, unsigned length, std::uint64_t value) {
    for (unsigned i = 0; i < length; ++i) bytes[at + i] = static_cast<std::byte>(value >> (8 * i));
  }
};

bool listed(const Volume& volume, const std::string& path, Warnings& warnings) {
  bool found = false;
  walk_directory(volume, "/", true, [&](const ListedEntry& entry) { found |= entry.path == path; },
                 warnings);
  return found;
}

bool contains(const Warnings& warnings, std::string_view text) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const Warning& warning) { return warning.what.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("the fixture reads before it is damaged") {
  const Fixture fixture;
  const auto volume = fixture.open();
  CHECK(volume->warnings().empty());
  Warnings warnings;
  CHECK(listed(*volume, "/growth/stage2-nonresident.bin", warnings));
  CHECK(warnings.empty());
}

TEST_CASE("a fixup mismatch is an error for that record; the rest of the volume lists") {
  Fixture fixture;
  const std::uint64_t offset = fixture.record_offset(stage2_record);
  fixture.bytes[offset + 1022] ^= std::byte{0xFF};  // the second stride's sequence slot
  const auto volume = fixture.open();
  const std::string expected = fmt::format(
      "ntfs: MFT record {} (volume offset {:#x}): update sequence mismatch in sector 1",
      stage2_record, offset);
  CHECK_THROWS_WITH_AS(volume->read_record(stage2_record), expected.c_str(), FormatError);
  Warnings warnings;
  CHECK_FALSE(listed(*volume, "/growth/stage2-nonresident.bin", warnings));
  CHECK(contains(warnings, expected));
  // The scan's warning carries the record and its place as fields too.
  CHECK(std::any_of(warnings.begin(), warnings.end(), [&](const Warning& warning) {
    return warning.where == Location{fmt::format("MFT record {}", stage2_record), offset};
  }));
  CHECK(listed(*volume, "/growth/stage1-resident.txt", warnings));
  CHECK_NOTHROW(volume->open_stream(volume->open_path("/growth/stage1-resident.txt")));
}

TEST_CASE("an attribute of length 0 is an error naming the record, not an endless loop") {
  Fixture fixture;
  const std::uint64_t data = fixture.attribute_offset(stage1_record, 0x80);
  fixture.bytes[data + 4] = std::byte{0};
  fixture.bytes[data + 5] = std::byte{0};
  const auto volume = fixture.open();
  CHECK_THROWS_WITH_AS(volume->read_record(stage1_record),
                       doctest::Contains(fmt::format("MFT record {} (volume offset", stage1_record).c_str()),
                       FormatError);
  CHECK_THROWS_WITH_AS(volume->read_record(stage1_record), doctest::Contains("has length 0"),
                       FormatError);
  CHECK_NOTHROW(volume->open_stream(volume->open_path("/growth/stage2-nonresident.bin")));
}

TEST_CASE("a data size of 2^63 is refused when the stream opens, nothing allocated") {
  Fixture fixture;
  const std::uint64_t data = fixture.attribute_offset(stage2_record, 0x80);
  fixture.put64(data + 0x30, std::uint64_t{1} << 63);
  const auto volume = fixture.open();
  const File file = volume->read_file(stage2_record);
  CHECK(file.data_size() == std::uint64_t{1} << 63);
  CHECK_THROWS_WITH_AS(volume->open_stream(file),
                       doctest::Contains("data size 9223372036854775808 exceeds"), FormatError);
  CHECK_NOTHROW(volume->open_stream(volume->open_path("/growth/stage1-resident.txt")));
}

TEST_CASE("a runlist that runs past the volume is an error for its record") {
  Fixture fixture;
  const std::uint64_t data = fixture.attribute_offset(stage2_record, 0x80);
  const std::uint64_t pairs = data + fixture.u16(data + 0x20);
  // Make the first run's LCN field as large as its size allows: past 24575 clusters.
  const unsigned header = std::to_integer<unsigned>(fixture.bytes[pairs]);
  const unsigned length_size = header & 0x0F;
  const unsigned offset_size = header >> 4;
  REQUIRE(offset_size >= 2);
  for (unsigned i = 0; i < offset_size; ++i) {
    fixture.bytes[pairs + 1 + length_size + i] = static_cast<std::byte>(i + 1 == offset_size ? 0x7F : 0xFF);
  }
  const auto volume = fixture.open();
  CHECK_THROWS_WITH_AS(volume->read_record(stage2_record),
                       doctest::Contains("lies outside the volume (24575 clusters)"), FormatError);
  Warnings warnings;
  CHECK(listed(*volume, "/growth/stage1-resident.txt", warnings));
}

TEST_CASE("a child record that does not point back to its base is ignored with a warning") {
  Fixture fixture;
  const std::uint64_t child = fixture.record_offset(stage3_child);
  fixture.put64(child + 0x20, (std::uint64_t{1} << 48) | stage1_record);  // base: another file
  const auto volume = fixture.open();
  const File file = volume->read_file(stage3_record);
  CHECK(contains(file.warnings,
                 fmt::format("MFT record {} is listed by record {}'s $ATTRIBUTE_LIST but its base "
                             "is record {}; ignored", stage3_child, stage3_record, stage1_record)));
  CHECK_THROWS_AS(volume->open_stream(file), FormatError);  // an extent is missing
  CHECK_NOTHROW(volume->open_stream(volume->open_path("/growth/stage2-nonresident.bin")));
}

TEST_CASE("an attribute list that points at its own record ends, with the extents missing") {
  Fixture fixture;
  const auto volume = fixture.open();
  const File before = volume->read_file(stage3_record);
  REQUIRE(before.attribute_list.has_value());
  REQUIRE(before.attribute_list->resident);
  const std::uint16_t child_sequence = volume->read_record(stage3_child).sequence;
  const std::uint64_t child_reference = (std::uint64_t{child_sequence} << 48) | stage3_child;
  const std::uint64_t self_reference = (std::uint64_t{before.record.sequence} << 48) | stage3_record;
  // Every list entry that names the child now names the base record itself.
  const std::uint64_t list = fixture.attribute_offset(stage3_record, 0x20);
  const std::uint64_t end = list + fixture.u32(list + 4);
  unsigned replaced = 0;
  for (std::uint64_t at = list; at + 8 <= end; ++at) {
    std::uint64_t value = 0;
    for (unsigned i = 0; i < 8; ++i) value |= std::to_integer<std::uint64_t>(fixture.bytes[at + i]) << (8 * i);
    if (value == child_reference) {
      fixture.put64(at, self_reference);
      ++replaced;
    }
  }
  REQUIRE(replaced > 0);
  const auto damaged = fixture.open();
  const File file = damaged->read_file(stage3_record);
  CHECK_THROWS_AS(damaged->open_stream(file), FormatError);
  Warnings warnings;
  CHECK(listed(*damaged, "/growth/stage3-attrlist.bin", warnings));
}

TEST_CASE("the four stages of file growth read through the attribute lists") {
  const Fixture fixture;
  const auto volume = fixture.open();
  const File third = volume->read_file(stage3_record);
  REQUIRE(third.attribute_list);
  CHECK(third.attribute_list->resident);
  CHECK(third.extents(AttributeType::data).size() == stage3["data_extents"]);
  CHECK(volume->open_stream(third)->runs().size() == stage3["data_runs"]);
  const File fourth = volume->read_file(stage4["record"].get<std::uint64_t>());
  REQUIRE(fourth.attribute_list);
  CHECK_FALSE(fourth.attribute_list->resident);
  CHECK(volume->open_stream(fourth)->runs().size() == stage4["data_runs"]);
}

TEST_CASE("a damaged boot sector gives way to the backup at the volume's end") {
  Fixture fixture;
  std::fill_n(fixture.bytes.begin(), 16, std::byte{0});  // the OEM id and BPB start
  const auto volume = fixture.open();
  REQUIRE(volume->warnings().size() == 1);
  CHECK(volume->warnings()[0].what.find("using the backup boot sector at offset 0x5fffe00") !=
        std::string::npos);  // the last 512-byte sector of the 96 MiB volume
  CHECK(volume->boot_sector().cluster_size == 4096);
  CHECK_NOTHROW(volume->open_stream(volume->open_path("/growth/stage1-resident.txt")));

  std::fill_n(fixture.bytes.end() - 512, 16, std::byte{0});
  CHECK_THROWS_WITH_AS(fixture.open(), doctest::Contains("no usable backup boot sector"),
                       FormatError);
}

TEST_CASE("records in a sparse tail of $MFT do not count; a warning names $MFT and the counts") {
  Fixture fixture;
  const std::uint64_t records = fixture.open()->record_count();
  // $MFT's runs map whole clusters of 4 records; its data size ends inside the last one.
  const std::uint64_t mapped = (records + 3) / 4 * 4;
  const std::uint64_t claimed = mapped + (std::uint64_t{4} << 23);
  std::uint64_t present = 0;
  SUBCASE("the tail is initialized") {
    fixture.add_sparse_mft_tail(std::uint64_t{1} << 23);  // 32 GiB of nothing: 33 million records
    present = mapped;
  }
  SUBCASE("the tail lies past the initialized size") {
    fixture.add_sparse_mft_tail(std::uint64_t{1} << 23, records * 1024);
    present = records;
  }
  const auto volume = fixture.open();
  REQUIRE(volume->record_count() == present);
  REQUIRE(volume->warnings().size() == 1);
  const Warning& warning = volume->warnings()[0];
  CHECK(warning.where.structure == "MFT record 0");
  CHECK(warning.what.find("$MFT") != std::string::npos);
  CHECK(warning.what.find(fmt::format("{} records", present)) != std::string::npos);
  CHECK(warning.what.find(fmt::format("{} records", claimed)) != std::string::npos);
  CHECK_THROWS_AS(volume->read_record(present), NotFoundError);
  CHECK_THROWS_AS(volume->read_record(std::uint64_t{1} << 24), NotFoundError);
  const Catalog catalog = Catalog::build(*volume);
  CHECK(catalog.records_scanned() == present);
  Warnings warnings;
  CHECK(listed(*volume, "/growth/stage2-nonresident.bin", warnings));
  CHECK(warnings.empty());
}

TEST_CASE("records past $MFT's initialized size do not count") {
  Fixture fixture;
  const std::uint64_t mapped = (fixture.open()->record_count() + 3) / 4 * 4;
  fixture.add_sparse_mft_tail(0, 64 * 1024);  // the data size becomes all that is mapped
  const auto volume = fixture.open();
  REQUIRE(volume->record_count() == 64);
  REQUIRE(volume->warnings().size() == 1);
  CHECK(volume->warnings()[0].what.find(fmt::format("{} records", mapped)) != std::string::npos);
  CHECK_THROWS_AS(volume->read_record(64), NotFoundError);
  CHECK(Catalog::build(*volume).records_scanned() == 64);
}

TEST_CASE("a resident $INDEX_ROOT cut short is an error naming it, its record and offset") {
  Fixture fixture;
  const std::uint64_t directory = fixture.open()->open_path("/growth").number();
  const std::uint64_t offset = fixture.record_offset(directory);
  fixture.edit_record(directory, [](std::span<std::byte> record) {
    std::size_t at = Fixture::get(record, 0x14, 2);
    while (Fixture::get(record, at, 4) != 0x90) at += Fixture::get(record, at + 4, 4);
    Fixture::put(record, at + 0x10, 4, 8);  // the value: 8 bytes, less than its 32-byte header
  });
  const auto volume = fixture.open();
  const File file = volume->read_file(directory);
  try {
    volume->list_directory(file);
    FAIL("no error");
  } catch (const FormatError& error) {
    const std::string message = error.what();
    INFO(message);
    CHECK(message.find("$INDEX_ROOT") != std::string::npos);
    CHECK(message.find(fmt::format("MFT record {}", directory)) != std::string::npos);
    CHECK(message.find("structure of") == std::string::npos);
    CHECK(error.where() == Location{fmt::format("MFT record {}", directory), offset});
  }
  Warnings warnings;
  CHECK(listed(*volume, "/growth/stage1-resident.txt", warnings));  // the catalog lists it
}

namespace {

// The fixture's bytes at the start of a source of any size, zeros after them: a volume may
// claim more than memory holds without the test holding it.
class ExtendedSource final : public ByteSource {
 public:
  ExtendedSource(const std::vector<std::byte>& bytes, std::uint64_t size) : bytes_(bytes), size_(size) {}
  std::uint64_t size() const override { return size_; }
  std::uint32_t sector_size() const override { return 512; }
  std::string name() const override { return "extended.img"; }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    std::fill(buffer.begin(), buffer.end(), std::byte{0});
    if (offset >= bytes_.size()) return;
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), bytes_.size() - offset));
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), count, buffer.begin());
  }

 private:
  std::vector<std::byte> bytes_;
  std::uint64_t size_;
};

}  // namespace

TEST_CASE("a $Bitmap larger than memory can hold is an error naming it and the size asked for"
          * doctest::skip(diskimg::testing::under_address_sanitizer)) {
  // 2^63 bytes of 4 KiB clusters: a bitmap of 2^48 bytes, more than any address space.
  constexpr std::uint64_t volume_bytes = std::uint64_t{1} << 63;
  constexpr std::uint64_t bitmap_bytes = volume_bytes / 4096 / 8;
  Fixture fixture;
  fixture.put64(0x28, volume_bytes / 512 - 1);       // total sectors: all but the backup
  fixture.add_mapped_tail(6, bitmap_bytes / 4096);  // $Bitmap as long as they need
  const auto volume = Volume::open(std::make_shared<ExtendedSource>(fixture.bytes, volume_bytes));
  try {
    UsedMap::read(*volume);
    FAIL("no error");
  } catch (const OutOfMemoryError& error) {
    const std::string message = error.what();
    INFO(message);
    CHECK(message.find("$Bitmap") != std::string::npos);
    CHECK(message.find(fmt::format("{} bytes", bitmap_bytes)) != std::string::npos);
    CHECK(error.where().structure == "$Bitmap (MFT record 6)");
  }
}

TEST_CASE("a sparse $Bitmap is refused before anything is allocated for it") {
  // Windows never makes $Bitmap sparse; a sparse run let a small image claim any size.
  constexpr std::uint64_t volume_bytes = std::uint64_t{1} << 50;
  Fixture fixture;
  fixture.put64(0x28, volume_bytes / 512 - 1);
  fixture.add_sparse_tail(6, volume_bytes / 4096 / 8 / 4096);
  const auto volume = Volume::open(std::make_shared<ExtendedSource>(fixture.bytes, volume_bytes));
  CHECK_THROWS_WITH_AS(UsedMap::read(*volume), doctest::Contains("$Bitmap has a sparse run"), FormatError);
}

TEST_CASE("a read larger than memory can hold is an error naming the source and the size"
          * doctest::skip(diskimg::testing::under_address_sanitizer)) {
  const ExtendedSource source({}, std::uint64_t{1} << 62);
  CHECK_THROWS_WITH_AS(source.read(0, std::size_t{1} << 60),
                       "extended.img: cannot allocate 1152921504606846976 bytes to read at offset 0x0 (out of memory)",
                       OutOfMemoryError);
}

TEST_CASE("a compression unit that would wrap its size to 0 is refused, not divided by") {
  // $UpCase's $DATA marked compressed with a unit of 2^255 clusters: 2^63 clusters of 4 KiB
  // multiplied to 0 bytes, and reading divided by it (SIGFPE when the volume opened).
  Fixture fixture;
  const std::uint64_t data = fixture.attribute_offset(10, 0x80);
  fixture.bytes[data + 0x0C] = std::byte{0x01};  // flags: compressed (LZNT1)
  fixture.bytes[data + 0x22] = std::byte{0xFF};  // compression unit
  std::shared_ptr<const Volume> volume;
  REQUIRE_NOTHROW(volume = fixture.open());
  CHECK(contains(volume->warnings(), "compression unit of 2^255 clusters is invalid"));
}

TEST_CASE("a $MFT whose $DATA maps no runs is refused, not indexed") {
  // The empty form of a nonresident attribute (last VCN -1, no mapping pairs) in record 0:
  // its first run was read from an empty list. $MFTMirr's copy stands in, with a warning.
  Fixture fixture;
  const std::uint64_t data = fixture.attribute_offset(0, 0x80);
  const std::uint64_t pairs = data + fixture.u16(data + 0x20);
  fixture.put64(data + 0x18, ~std::uint64_t{0});  // last VCN: -1
  for (const std::uint64_t field : {0x28, 0x30, 0x38}) fixture.put64(data + field, 0);
  fixture.bytes[pairs] = std::byte{0};
  std::shared_ptr<const Volume> volume;
  REQUIRE_NOTHROW(volume = fixture.open());
  CHECK(contains(volume->warnings(), "has no runs"));
  CHECK_NOTHROW(volume->open_stream(volume->open_path("/growth/stage1-resident.txt")));
}

TEST_CASE("$UpCase folds as mkntfs's table does, the units past the first page read on first use by any thread") {
  const Fixture fixture;
  const auto volume = fixture.open();
  // Case pairs of Unicode that mkntfs's table holds, on both sides of the first page (2048
  // units), and units without a capital.
  const std::vector<std::pair<char16_t, char16_t>> pairs = {
      {u'a', u'A'}, {u'z', u'Z'}, {u'A', u'A'}, {u'1', u'1'}, {u'\u00e9', u'\u00c9'}, {u'\u03b1', u'\u0391'},
      {u'\u0430', u'\u0410'}, {u'\u2170', u'\u2160'}, {u'\u24d0', u'\u24b6'}, {u'\uff41', u'\uff21'},
      {u'\u65e5', u'\u65e5'}, {u'\u2603', u'\u2603'}};
  std::vector<std::thread> threads;
  std::vector<std::vector<char16_t>> folded(4);
  for (std::size_t t = 0; t < folded.size(); ++t) {
    threads.emplace_back([&, t] {
      for (std::uint32_t unit = 0xffff; unit + 1 > 0; --unit) {
        folded[t].push_back(volume->upcase(static_cast<char16_t>(unit)));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& [lower, upper] : pairs) {
    CHECK(static_cast<unsigned>(folded[0][0xffff - lower]) == static_cast<unsigned>(upper));
  }
  for (const auto& other : folded) CHECK(other == folded[0]);
  // The same as the whole $UpCase stream read at once.
  const File upcase = volume->read_file(10);
  const std::vector<std::byte> table = volume->open_stream(upcase)->read(0, 131072);
  std::size_t differing = 0;
  for (std::uint32_t unit = 0; unit <= 0xffff; ++unit) {
    const auto expected = static_cast<char16_t>(std::to_integer<unsigned>(table[2 * unit]) |
                                                std::to_integer<unsigned>(table[2 * unit + 1]) << 8);
    if (folded[0][0xffff - unit] != expected) ++differing;
  }
  CHECK(differing == 0);
}

TEST_CASE("records of 64 KiB (a boot sector may say so) are read one per cached chunk, not divided by zero") {
  Fixture fixture;
  const std::uint64_t mft = fixture.record_offset(0);
  // Record 0 rewritten as one of 64 KiB: its attributes, update sequence undone, moved past
  // an update sequence array of 129 entries (one per 512-byte stride, and the number).
  std::vector<std::byte> attributes;
  fixture.edit_record(0, [&](std::span<std::byte> record) {
    const std::size_t first = Fixture::get(record, 0x14, 2);
    const std::size_t in_use = Fixture::get(record, 0x18, 4);
    attributes.assign(record.begin() + static_cast<std::ptrdiff_t>(first), record.begin() + static_cast<std::ptrdiff_t>(in_use));
  });
  const std::span<std::byte> big(fixture.bytes.data() + mft, 65536);
  std::fill(big.begin() + 0x30, big.end(), std::byte{0});
  constexpr std::size_t strides = 65536 / 512;
  constexpr std::size_t first = (0x30 + 2 * (strides + 1) + 7) / 8 * 8;
  Fixture::put(big, 0x04, 2, 0x30);
  Fixture::put(big, 0x06, 2, strides + 1);
  Fixture::put(big, 0x14, 2, first);
  Fixture::put(big, 0x18, 4, first + attributes.size());
  Fixture::put(big, 0x1C, 4, 65536);
  std::copy(attributes.begin(), attributes.end(), big.begin() + static_cast<std::ptrdiff_t>(first));
  Fixture::put(big, 0x30, 2, 1);  // the update sequence number
  for (std::size_t i = 1; i <= strides; ++i) {
    std::copy_n(&big[i * 512 - 2], 2, &big[0x30 + 2 * i]);
    Fixture::put(big, i * 512 - 2, 2, 1);
  }
  fixture.bytes[0x40] = std::byte{0xf0};  // 2^16 bytes per record
  const auto volume = fixture.open();
  REQUIRE(volume->boot_sector().file_record_size == 65536);
  CHECK(volume->record_count() > 1);
  // Record 0 reads back as the one written; the others (pieces of 64 old records) are
  // records or errors.
  CHECK(volume->read_record(0).number == 0);
  for (std::uint64_t number = 1; number < volume->record_count(); ++number) {
    try {
      (void)volume->read_record(number);
    } catch (const Error&) {
    }
  }
}
