// LDM records built byte by byte: fragments out of order and apart, and hostile databases
// (fragment counts and lengths that lie, fields past the record, missing parents, extents
// past a disk, stripe sizes of zero) each give an error naming the record, never a crash.
#include "ldm/ldm_structures.hpp"
#include "sanitizers.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ldm/disk_group.hpp>
#include <diskimg/ldm/volume_on_disk.hpp>
#include <diskimg/source/memory_source.hpp>

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace diskimg::ldm {
namespace {

using Bytes = std::vector<std::byte>;

void put(Bytes& out, std::uint64_t value, int length) {
  for (int i = length - 1; i >= 0; --i) out.push_back(static_cast<std::byte>(i < 8 ? value >> (8 * i) : 0));
}
void number(Bytes& out, std::uint64_t value) {
  int length = 0;
  for (std::uint64_t v = value; v != 0; v >>= 8) ++length;
  out.push_back(static_cast<std::byte>(length));
  put(out, value, length);
}
void text(Bytes& out, const std::string& value) {
  out.push_back(static_cast<std::byte>(value.size()));
  for (char c : value) out.push_back(static_cast<std::byte>(c));
}
// The record as it follows a VBLK's 16-byte header: status, flags, type, data length, data.
Bytes record(std::uint8_t flags, std::uint8_t revision_and_type, const Bytes& data) {
  Bytes out;
  put(out, 0, 2);
  out.push_back(static_cast<std::byte>(flags));
  out.push_back(static_cast<std::byte>(revision_and_type));
  put(out, data.size(), 4);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes disk_record(std::uint64_t id, const std::string& name, const std::string& guid) {
  Bytes d;
  number(d, id);
  text(d, name);
  text(d, guid);
  text(d, "");
  put(d, 0, 4 + 8);
  return record(0, 0x34, d);
}
Bytes volume_record(std::uint64_t id, const std::string& name, std::uint64_t sectors, const std::string& type = "gen") {
  Bytes d;
  number(d, id);
  text(d, name);
  text(d, type);
  text(d, "");
  for (int i = 0; i < 14; ++i) d.push_back(std::byte{'A'});
  d.push_back(std::byte{0});
  number(d, 1);
  put(d, 0, 4);
  number(d, 1);
  put(d, 0, 16);
  number(d, sectors);
  put(d, 0, 4);
  d.push_back(std::byte{0x07});
  put(d, 0x1234, 16);
  return record(0, 0x51, d);
}
Bytes component_record(std::uint64_t id, const std::string& name, std::uint8_t layout, std::uint64_t volume,
                       std::uint64_t stripe = 0, std::uint64_t columns = 0) {
  Bytes d;
  number(d, id);
  text(d, name);
  text(d, "ACTIVE");
  d.push_back(static_cast<std::byte>(layout));
  put(d, 0, 4);
  number(d, 1);
  put(d, 0, 16);
  number(d, volume);
  number(d, 0);
  if (layout != 2) {
    number(d, stripe);
    number(d, columns);
  }
  return record(layout != 2 ? component_has_stripe : 0, 0x32, d);
}
Bytes partition_record(std::uint64_t id, const std::string& name, std::uint64_t start, std::uint64_t offset,
                       std::uint64_t sectors, std::uint64_t component, std::uint64_t disk, std::uint64_t column = 0) {
  Bytes d;
  number(d, id);
  text(d, name);
  put(d, 0, 4 + 8);
  put(d, start, 8);
  put(d, offset, 8);
  number(d, sectors);
  number(d, component);
  number(d, disk);
  number(d, column);
  return record(partition_has_column, 0x33, d);
}

// A config region: the VMDB header, then 128-byte slots.
class Config {
 public:
  explicit Config(std::size_t slots = 64) : bytes_(slots * 128) {
    Bytes header;
    for (char c : std::string("VMDB")) header.push_back(static_cast<std::byte>(c));
    put(header, slots, 4);
    put(header, 128, 4);
    put(header, 512, 4);
    std::copy(header.begin(), header.end(), bytes_.begin());
  }
  // The record in `count` fragments at the given slots (each holds 112 bytes of it).
  void add(std::uint32_t group, const Bytes& body, std::vector<std::size_t> slots, int count = -1) {
    const std::size_t per = 128 - 16;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      Bytes slot;
      for (char c : std::string("VBLK")) slot.push_back(static_cast<std::byte>(c));
      put(slot, slots[i], 4);
      put(slot, group, 4);
      put(slot, i, 2);
      put(slot, count < 0 ? slots.size() : static_cast<std::size_t>(count), 2);
      for (std::size_t j = i * per; j < std::min(body.size(), (i + 1) * per); ++j) slot.push_back(body[j]);
      std::copy(slot.begin(), slot.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(slots[i] * 128));
    }
  }
  Database parse() const {
    Database db;
    parse_vblks(bytes_, 17, db);
    return db;
  }

 private:
  Bytes bytes_;
};

const std::string guid1 = "11111111-2222-3333-4444-555555555555";

// Disk1 (record 3), Volume1 (10) of 64 sectors with one concatenated component (11); the
// partition records are the test's.
Config one_volume_config() {
  Config config;
  config.add(1, disk_record(3, "Disk1", guid1), {4});
  config.add(2, volume_record(10, "Volume1", 64), {5});
  config.add(3, component_record(11, "Volume1-01", 2, 10), {6});
  return config;
}

// A group of one disk (the memory source) holding what `config` describes.
DiskGroup assemble(const Config& config, std::uint64_t disk_bytes = 1 << 20) {
  Database db = config.parse();
  db.disk_guid = guid1;
  db.disk_group_guid = "group";
  auto disk = std::make_shared<MemorySource>(Bytes(disk_bytes), 512, "disk.img");
  return assemble_disk_group({{disk, db}});
}

}  // namespace

TEST_CASE("a record in fragments that are apart and out of order is joined") {
  Config config;
  const Bytes long_volume = volume_record(7, std::string(150, 'V'), 100);
  REQUIRE(long_volume.size() > 2 * 112);
  config.add(9, long_volume, {30, 5, 17});
  const Database db = config.parse();
  REQUIRE(db.volumes.size() == 1);
  CHECK(db.volumes[0].name == std::string(150, 'V'));
  CHECK(db.volumes[0].size == 100);
}

TEST_CASE("fragment counts and indexes that lie") {
  SUBCASE("a missing fragment skips the record with a warning") {
    Config config;
    config.add(9, volume_record(7, std::string(150, 'V'), 100), {4, 5}, 3);
    const Database db = config.parse();
    CHECK(db.volumes.empty());
    REQUIRE(db.warnings.size() == 1);
    CHECK(db.warnings[0].what.find("record 9: fragments missing") != std::string::npos);
  }
  SUBCASE("counts that disagree") {
    Config config;
    config.add(9, volume_record(7, "V", 100), {4}, 2);
    config.add(9, volume_record(7, "V", 100), {6}, 3);
    CHECK_THROWS_WITH_AS(config.parse(), doctest::Contains("says 3 fragments, an earlier one 2"), FormatError);
  }
  SUBCASE("too many fragments") {
    Config config;
    config.add(9, volume_record(7, "V", 100), {4}, 1000);
    CHECK_THROWS_WITH_AS(config.parse(), doctest::Contains("1000 fragments"), FormatError);
  }
}

TEST_CASE("lengths that lie are errors naming the record") {
  SUBCASE("a data length past the record") {
    Bytes body = disk_record(3, "Disk1", guid1);
    body[4] = std::byte{0x7F};  // data length, most significant byte
    Config config;
    config.add(12, body, {4});
    CHECK_THROWS_WITH_AS(config.parse(), doctest::Contains("VBLK record 12: data length"), FormatError);
  }
  SUBCASE("a string past the record") {
    Bytes body = disk_record(3, "Disk1", guid1);
    body[8 + 2] = std::byte{100};  // the name's length byte, after the 1-byte id
    Config config;
    config.add(12, body, {4});
    CHECK_THROWS_WITH_AS(config.parse(), doctest::Contains("VBLK record 12: field of 100 bytes"), FormatError);
  }
  SUBCASE("a number of more than 8 bytes") {
    Bytes body = disk_record(3, "Disk1", guid1);
    body[8] = std::byte{9};  // the id's length byte
    Config config;
    config.add(12, body, {4});
    CHECK_THROWS_WITH_AS(config.parse(), doctest::Contains("a number of 9 bytes"), FormatError);
  }
}

TEST_CASE("a simple volume assembles and reads its extent") {
  Config config = one_volume_config();
  config.add(4, partition_record(12, "Disk1-01", 8, 0, 64, 11, 3), {7});
  const DiskGroup group = assemble(config);
  REQUIRE(group.volumes.size() == 1);
  CHECK(group.volumes[0].state == "complete");
  CHECK(group.volumes[0].layout == VolumeLayout::simple);
  REQUIRE(group.volumes[0].bytes);
  CHECK(group.volumes[0].bytes->size() == 64 * 512);
  CHECK(group.volumes[0].extents[0].disk_offset == 8 * 512);
}

void check_damaged(const Config& config, const std::string& message) {
  const DiskGroup group = assemble(config);
  REQUIRE(group.volumes.size() == 1);
  CHECK(group.volumes[0].state == "damaged");
  CHECK_FALSE(group.volumes[0].bytes);
  const bool named = std::any_of(group.warnings.begin(), group.warnings.end(),
                                 [&](const Warning& w) { return w.what.find(message) != std::string::npos; });
  CHECK_MESSAGE(named, message);
}

TEST_CASE("records that do not make a readable volume leave it damaged, with a warning naming them") {
  Config config;
  config.add(1, disk_record(3, "Disk1", guid1), {4});
  config.add(2, volume_record(10, "Volume1", 64), {5});
  SUBCASE("a partition on a disk that has no record") {
    config.add(3, component_record(11, "Volume1-01", 2, 10), {6});
    config.add(4, partition_record(12, "Disk1-01", 0, 0, 64, 11, 99), {7});
    check_damaged(config, "partition Disk1-01 (record 12) names disk record 99");
  }
  SUBCASE("a volume with no component") {
    config.add(3, component_record(11, "Volume1-01", 2, 77), {6});
    check_damaged(config, "volume Volume1 (record 10) has no components");
  }
  SUBCASE("an extent past the end of the disk") {
    config.add(3, component_record(11, "Volume1-01", 2, 10), {6});
    config.add(4, partition_record(12, "Disk1-01", 4000, 0, 64, 11, 3), {7});
    check_damaged(config, "Disk1-01 (record 12) at sectors 4000+64 runs past");
  }
  SUBCASE("a stripe size of zero") {
    config.add(3, component_record(11, "Volume1-01", 1, 10, 0, 2), {6});
    config.add(4, partition_record(12, "Disk1-01", 0, 0, 32, 11, 3, 0), {7});
    config.add(5, partition_record(13, "Disk1-02", 32, 0, 32, 11, 3, 1), {8});
    check_damaged(config, "stripe size of zero");
  }
  SUBCASE("a gap between extents of a spanned volume") {
    config.add(3, component_record(11, "Volume1-01", 2, 10), {6});
    config.add(4, partition_record(12, "Disk1-01", 0, 0, 32, 11, 3), {7});
    config.add(5, partition_record(13, "Disk1-02", 100, 40, 32, 11, 3), {8});
    check_damaged(config, "Disk1-02 (record 13) starts at volume sector 40");
  }
  SUBCASE("sizes past 64-bit byte offsets") {
    config.add(3, component_record(11, "Volume1-01", 2, 10), {6});
    config.add(4, partition_record(12, "Disk1-01", std::uint64_t{1} << 55, 0, 64, 11, 3), {7});
    check_damaged(config, "Disk1-01 (record 12): 36028797018963968 sectors do not fit 64-bit byte offsets");
  }
  SUBCASE("a RAID-5 component under a volume that is not") {
    config.add(3, component_record(11, "Volume1-01", 3, 10, 8, 3), {6});
    for (std::uint64_t c = 0; c < 3; ++c) {
      config.add(static_cast<std::uint32_t>(4 + c),
                 partition_record(12 + c, "Disk1-0" + std::to_string(c), c * 40, 0, 32, 11, 3, c), {7 + c});
    }
    check_damaged(config, "is RAID-5, its volume Volume1 is not");
  }
}

}  // namespace diskimg::ldm

namespace diskimg::ldm {
namespace {

// A disk whose every 512-byte sector holds its own number in its first 8 bytes.
SourcePtr numbered_disk(std::uint64_t sectors) {
  Bytes bytes(sectors * 512);
  for (std::uint64_t s = 0; s < sectors; ++s) {
    for (int i = 0; i < 8; ++i) bytes[s * 512 + i] = static_cast<std::byte>(s >> (8 * i));
  }
  return std::make_shared<MemorySource>(std::move(bytes), 512, "numbered.img");
}

// A member disk that notes which of its sectors are read and which it is told it will need.
class SectorLog final : public ByteSource {
 public:
  explicit SectorLog(SourcePtr disk) : disk_(std::move(disk)) {}
  std::uint64_t size() const override { return disk_->size(); }
  std::uint32_t sector_size() const override { return 512; }
  std::string name() const override { return disk_->name(); }
  void will_need(std::uint64_t offset, std::uint64_t length) const override { note(hinted, offset, length); }
  mutable std::set<std::uint64_t> read_sectors;
  mutable std::set<std::uint64_t> hinted;

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    note(read_sectors, offset, buffer.size());
    disk_->read(offset, buffer);
  }

 private:
  static void note(std::set<std::uint64_t>& sectors, std::uint64_t offset, std::uint64_t length) {
    for (std::uint64_t s = offset / 512; s * 512 < offset + length; ++s) sectors.insert(s);
  }
  SourcePtr disk_;
};

std::uint64_t sector_at(const ByteSource& source, std::uint64_t offset) {
  const Bytes bytes = source.read(offset, 8);
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = value << 8 | std::to_integer<std::uint64_t>(bytes[i]);
  return value;
}

}  // namespace

TEST_CASE("a striped column made of two extents maps each chunk to its disk sector") {
  Config config;
  config.add(1, disk_record(3, "Disk1", guid1), {4});
  config.add(2, volume_record(10, "Stripe", 64), {5});
  config.add(3, component_record(11, "Stripe-01", 1, 10, 4, 2), {6});
  // Column 0: sectors 100..115 then 300..315; column 1: sectors 200..231. Chunks of 4 sectors.
  config.add(4, partition_record(12, "Disk1-01", 100, 0, 16, 11, 3, 0), {7});
  config.add(5, partition_record(13, "Disk1-02", 300, 16, 16, 11, 3, 0), {8});
  config.add(6, partition_record(14, "Disk1-03", 200, 0, 32, 11, 3, 1), {9});
  Database db = config.parse();
  db.disk_guid = guid1;
  db.disk_group_guid = "group";
  const auto disk = std::make_shared<SectorLog>(numbered_disk(400));
  const DiskGroup group = assemble_disk_group({{disk, db}});
  const ByteSource& volume = *group.volumes.at(0).bytes;
  CHECK(group.volumes[0].layout == VolumeLayout::striped);
  for (std::uint64_t sector = 0; sector < 64; ++sector) {
    const std::uint64_t chunk = sector / 4;
    const std::uint64_t in_column = chunk / 2 * 4 + sector % 4;
    const std::uint64_t expected = chunk % 2 == 1 ? 200 + in_column : in_column < 16 ? 100 + in_column : 300 + in_column - 16;
    CHECK(sector_at(volume, sector * 512) == expected);
  }
  // will_need reaches the disk sectors a read of the same range reads, and no others.
  for (const auto& [first, count] : {std::pair<std::uint64_t, std::uint64_t>{0, 64}, {3, 10}, {17, 30}, {60, 100}}) {
    disk->read_sectors.clear();
    disk->hinted.clear();
    const std::uint64_t end = std::min<std::uint64_t>(first + count, 64);
    (void)volume.read(first * 512, static_cast<std::size_t>((end - first) * 512));
    volume.will_need(first * 512, count * 512);  // past the end: clipped
    CHECK_FALSE(disk->read_sectors.empty());
    CHECK(disk->hinted == disk->read_sectors);
  }
}

TEST_CASE("a RAID-5 volume rebuilds a missing column from parity") {
  Config config;
  const std::string guids[] = {guid1, "22222222-2222-3333-4444-555555555555", "33333333-2222-3333-4444-555555555555"};
  for (std::uint64_t d = 0; d < 3; ++d) config.add(static_cast<std::uint32_t>(1 + d), disk_record(3 + d, "Disk" + std::to_string(d + 1), guids[d]), {4 + d});
  config.add(4, volume_record(10, "Raid", 64, "raid5"), {7});
  config.add(5, component_record(11, "Raid-01", 3, 10, 4, 3), {8});
  for (std::uint64_t c = 0; c < 3; ++c) {
    config.add(static_cast<std::uint32_t>(6 + c), partition_record(12 + c, "P" + std::to_string(c), 0, 0, 32, 11, 3 + c, c), {9 + c});
  }
  Database db = config.parse();
  db.disk_group_guid = "group";
  // Column c = a XOR b: in every row each column is the XOR of the other two, whichever
  // of them holds the parity, as RAID-5 keeps it.
  Bytes a(32 * 512), b(32 * 512), c(32 * 512);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<std::byte>(i * 7 + 1);
    b[i] = static_cast<std::byte>(i * 13 + 5);
    c[i] = a[i] ^ b[i];
  }
  const std::vector<SourcePtr> disks = {std::make_shared<MemorySource>(a, 512, "a"), std::make_shared<MemorySource>(b, 512, "b"),
                                        std::make_shared<MemorySource>(c, 512, "c")};
  const auto member = [&](std::size_t d) {
    Database own = db;
    own.disk_guid = guids[d];
    return MemberDisk{disks[d], own};
  };
  const DiskGroup complete = assemble_disk_group({member(0), member(1), member(2)});
  REQUIRE(complete.volumes.at(0).state == "complete");
  const Bytes whole = complete.volumes[0].bytes->read(0, 64 * 512);
  for (std::size_t missing = 0; missing < 3; ++missing) {
    std::vector<MemberDisk> given;
    for (std::size_t d = 0; d < 3; ++d) {
      if (d != missing) given.push_back(member(d));
    }
    const DiskGroup degraded = assemble_disk_group(given);
    CHECK(degraded.volumes.at(0).state == "degraded");
    CHECK(degraded.volumes[0].missing_disks == std::vector<std::string>{"Disk" + std::to_string(missing + 1)});
    CHECK(degraded.volumes[0].bytes->read(0, 64 * 512) == whole);
  }
  // will_need reaches the sectors a read reads, complete or rebuilding a missing column.
  for (std::size_t missing = 0; missing < 4; ++missing) {  // 3: none missing
    std::vector<std::shared_ptr<SectorLog>> logs;
    std::vector<MemberDisk> given;
    for (std::size_t d = 0; d < 3; ++d) {
      logs.push_back(std::make_shared<SectorLog>(disks[d]));
      if (d == missing) continue;
      Database own = db;
      own.disk_guid = guids[d];
      given.push_back({logs[d], own});
    }
    const DiskGroup group = assemble_disk_group(given);
    for (const auto& log : logs) log->read_sectors.clear();
    (void)group.volumes.at(0).bytes->read(5 * 512, 40 * 512);
    group.volumes[0].bytes->will_need(5 * 512, 40 * 512);
    for (const auto& log : logs) CHECK(log->hinted == log->read_sectors);
  }
  // Chunk 0 (row 0, parity in column 2) is column 0's first chunk.
  CHECK(Bytes(whole.begin(), whole.begin() + 2048) == Bytes(a.begin(), a.begin() + 2048));
}

TEST_CASE("record ids used twice are refused; orphans are warned about") {
  Config config = one_volume_config();
  config.add(4, partition_record(12, "Disk1-01", 0, 0, 64, 11, 3), {7});
  SUBCASE("a partition whose component does not exist") {
    config.add(5, partition_record(13, "Disk1-02", 64, 0, 64, 55, 3), {8});
    const DiskGroup group = assemble(config);
    REQUIRE(group.volumes.size() == 1);
    CHECK(std::any_of(group.warnings.begin(), group.warnings.end(), [](const Warning& w) {
      return w.what.find("partition Disk1-02 (record 13) belongs to component record 55") != std::string::npos &&
             w.where.structure == "LDM partition Disk1-02 (record 13)";
    }));
  }
  SUBCASE("an id used twice") {
    config.add(5, volume_record(11, "Volume2", 64), {8});
    CHECK_THROWS_WITH_AS(assemble(config), doctest::Contains("record id 11 is used by volume Volume2 and by component"),
                         FormatError);
  }
}

TEST_CASE("a record revision that is not known is refused") {
  Config config;
  Bytes body = volume_record(10, "Volume1", 64);
  body[3] = std::byte{0x41};  // a volume in revision 4
  config.add(2, body, {5});
  CHECK_THROWS_WITH_AS(config.parse(), doctest::Contains("record type 1 in revision 4"), FormatError);
}

}  // namespace diskimg::ldm

namespace diskimg::ldm {

// A database as large as the 16 MiB config region allows holds about 130,000 records.
// Joining them must not compare every record with every other: 116,000 records took 12.6 s
// that way. The bound is ten times what indexed assembly takes in a Release build (and
// more for sanitized or unoptimized builds): a guard against the complexity coming back.
TEST_CASE("a database of 116,000 records assembles in near-linear time") {
  constexpr std::uint64_t volumes = 38'666;
  Config config(4 + 1 + 3 * volumes);
  config.add(1, disk_record(3, "Disk1", guid1), {4});
  std::size_t slot = 5;
  std::uint32_t group = 2;
  for (std::uint64_t v = 0; v < volumes; ++v) {
    const std::uint64_t id = 100 + 3 * v;
    const std::string name = "V" + std::to_string(v);
    config.add(group++, volume_record(id, name, 1), {slot++});
    config.add(group++, component_record(id + 1, name + "-01", 2, id), {slot++});
    config.add(group++, partition_record(id + 2, "Disk1-" + std::to_string(v), v % 2000, 0, 1, id + 1, 3), {slot++});
  }
  const Database db = config.parse();
  REQUIRE(db.volumes.size() == volumes);
  REQUIRE(db.partitions.size() == volumes);
  Database member = db;
  member.disk_guid = guid1;
  member.disk_group_guid = "group";
  const auto disk = std::make_shared<MemorySource>(Bytes(1 << 20), 512, "disk.img");

  // CPU time, not wall time: a loaded machine (CI's two cores) must not fail the test.
  const std::clock_t started = std::clock();
  const DiskGroup group_read = assemble_disk_group({{disk, std::move(member)}});
  const double seconds = static_cast<double>(std::clock() - started) / CLOCKS_PER_SEC;

  REQUIRE(group_read.volumes.size() == volumes);
  CHECK(group_read.warnings.empty());
  CHECK(std::all_of(group_read.volumes.begin(), group_read.volumes.end(),
                    [](const GroupVolume& volume) { return volume.state == "complete"; }));
  CHECK(group_read.volumes.back().extents.at(0).disk_offset == (volumes - 1) % 2000 * 512);
  // The quadratic join took 12.6 s of CPU in a release build, the indexed one 0.5 s: the
  // bound tells them apart with room for slower machines (and ASan's several times more).
#if !defined(NDEBUG)
  constexpr double debug_factor = 5.0;
#else
  constexpr double debug_factor = 1.0;
#endif
  const double budget = 5.0 * debug_factor * (testing::under_address_sanitizer ? 6.0 : 1.0);
  MESSAGE("assembly took " << seconds << " s");
  CHECK(seconds < budget);
}

}  // namespace diskimg::ldm

namespace {

using namespace diskimg::ldm;

// Where each byte of a volume lies, worked out chunk by chunk from the layout's definition:
// the reference locate's arithmetic must agree with, as sets of disk bytes.
using Intervals = std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>>;

Intervals merged(const std::vector<DiskPiece>& pieces) {
  Intervals by_disk;
  for (const DiskPiece& piece : pieces) by_disk[piece.disk].emplace_back(piece.offset, piece.offset + piece.length);
  for (auto& [disk, intervals] : by_disk) {
    std::sort(intervals.begin(), intervals.end());
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    for (const auto& interval : intervals) {
      if (!out.empty() && interval.first <= out.back().second) {
        out.back().second = std::max(out.back().second, interval.second);
      } else {
        out.push_back(interval);
      }
    }
    intervals = out;
  }
  return by_disk;
}

// One extent per column, column c on disk "Disk<c>" at disk offset 1 MiB.
GroupVolume columns_volume(VolumeLayout layout, unsigned columns, std::uint64_t stripe, std::uint64_t rows) {
  GroupVolume volume;
  volume.layout = layout;
  volume.stripe_size = stripe;
  volume.columns = columns;
  for (unsigned c = 0; c < columns; ++c) {
    volume.extents.push_back({fmt::format("Disk{}-01", c), fmt::format("Disk{}", c), 1 << 20, 0, 0, rows * stripe, 0, c, true});
  }
  volume.size = rows * stripe * (layout == VolumeLayout::raid5 ? columns - 1 : columns);
  return volume;
}

std::vector<DiskPiece> chunk_by_chunk(const GroupVolume& volume, std::uint64_t offset, std::uint64_t length) {
  std::vector<DiskPiece> out;
  const std::uint64_t n = volume.columns;
  const std::uint64_t stripe = volume.stripe_size;
  for (std::uint64_t at = offset; at < offset + length;) {
    const std::uint64_t chunk = at / stripe;
    const std::uint64_t within = at % stripe;
    const std::uint64_t piece = std::min(offset + length - at, stripe - within);
    if (volume.layout == VolumeLayout::raid5) {
      const std::uint64_t row = chunk / (n - 1);
      for (unsigned c = 0; c < n; ++c) out.push_back({fmt::format("Disk{}", c), (1 << 20) + row * stripe + within, piece});
    } else {
      out.push_back({fmt::format("Disk{}", chunk % n), (1 << 20) + chunk / n * stripe + within, piece});
    }
    at += piece;
  }
  return out;
}

}  // namespace

TEST_CASE("locate's column arithmetic gives the disk bytes that placing chunk by chunk gives") {
  std::uint64_t seed = 12345;
  const auto next = [&](std::uint64_t bound) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 17) % bound;
  };
  for (const VolumeLayout layout : {VolumeLayout::striped, VolumeLayout::raid5}) {
    for (const unsigned columns : {2u, 3u, 5u}) {
      if (layout == VolumeLayout::raid5 && columns < 3) continue;
      const GroupVolume volume = columns_volume(layout, columns, 4096, 64);
      for (int trial = 0; trial < 300; ++trial) {
        const std::uint64_t offset = next(volume.size);
        const std::uint64_t length = 1 + next(volume.size - offset);
        CAPTURE(offset);
        CAPTURE(length);
        CHECK(merged(locate(volume, offset, length)) == merged(chunk_by_chunk(volume, offset, length)));
      }
    }
  }
}

TEST_CASE("locating a terabyte of a volume with one-sector stripes takes a piece per column") {
  // Chunk by chunk this was 2^31 pieces (about 100 GB) for one range.
  const GroupVolume volume = columns_volume(VolumeLayout::striped, 2, 512, 1ULL << 30);
  const std::vector<DiskPiece> pieces = locate(volume, 0, 1ULL << 40);
  CHECK(pieces.size() == 2);
  CHECK(merged(pieces).at("Disk0").front().second - merged(pieces).at("Disk0").front().first == 1ULL << 39);
}

namespace diskimg::ldm {
namespace {

// Three disks of 400 sectors holding one volume laid out as `kind` says: "spanned" (Disk1
// then Disk3), "striped" (3 columns of 4-sector chunks, column 0 in two extents),
// "raid5" (3 columns) or "mirror" (two plexes, Disk1 and Disk2).
struct ThreeDisks {
  Database db;
  std::vector<SourcePtr> disks;
  std::vector<std::string> guids = {guid1, "22222222-2222-3333-4444-555555555555", "33333333-2222-3333-4444-555555555555"};

  explicit ThreeDisks(const std::string& kind) {
    Config config;
    for (std::uint64_t d = 0; d < 3; ++d) {
      config.add(static_cast<std::uint32_t>(1 + d), disk_record(3 + d, fmt::format("Disk{}", d + 1), guids[d]), {4 + d});
    }
    if (kind == "spanned") {
      config.add(4, volume_record(10, "V", 48), {7});
      config.add(5, component_record(11, "V-01", 2, 10), {8});
      config.add(6, partition_record(12, "Disk1-01", 100, 0, 16, 11, 3), {9});
      config.add(7, partition_record(13, "Disk3-01", 250, 16, 32, 11, 5), {10});
    } else if (kind == "striped") {
      config.add(4, volume_record(10, "V", 96), {7});
      config.add(5, component_record(11, "V-01", 1, 10, 4, 3), {8});
      config.add(6, partition_record(12, "Disk1-01", 100, 0, 16, 11, 3, 0), {9});
      config.add(7, partition_record(13, "Disk1-02", 300, 16, 16, 11, 3, 0), {10});
      config.add(8, partition_record(14, "Disk2-01", 40, 0, 32, 11, 4, 1), {11});
      config.add(9, partition_record(15, "Disk3-01", 200, 0, 32, 11, 5, 2), {12});
    } else if (kind == "raid5") {
      config.add(4, volume_record(10, "V", 64, "raid5"), {7});
      config.add(5, component_record(11, "V-01", 3, 10, 4, 3), {8});
      for (std::uint64_t c = 0; c < 3; ++c) {
        config.add(static_cast<std::uint32_t>(6 + c), partition_record(12 + c, fmt::format("P{}", c), 50 + 60 * c, 0, 32, 11, 3 + c, c), {9 + c});
      }
    } else {
      config.add(4, volume_record(10, "V", 40), {7});
      config.add(5, component_record(11, "V-01", 2, 10), {8});
      config.add(6, component_record(12, "V-02", 2, 10), {9});
      config.add(7, partition_record(13, "Disk1-01", 10, 0, 40, 11, 3), {10});
      config.add(8, partition_record(14, "Disk2-01", 300, 0, 40, 12, 4), {11});
    }
    db = config.parse();
    db.disk_group_guid = "group";
    for (std::size_t d = 0; d < 3; ++d) {
      Bytes bytes(400 * 512);
      for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i * (d + 3) + i / 512);
      disks.push_back(std::make_shared<MemorySource>(bytes, 512, fmt::format("disk{}", d + 1)));
    }
  }
  // The group assembled from `given` (the disks, or some of them: null is not given).
  DiskGroup group(const std::vector<SourcePtr>& given) const {
    std::vector<MemberDisk> members;
    for (std::size_t d = 0; d < given.size(); ++d) {
      if (!given[d]) continue;
      Database own = db;
      own.disk_guid = guids[d];
      members.push_back({given[d], own});
    }
    return assemble_disk_group(members);
  }
};

}  // namespace

TEST_CASE("a volume's bytes put back onto its disks assemble to those bytes, and nothing else changes") {
  for (const std::string kind : {"spanned", "striped", "raid5", "mirror"}) {
    CAPTURE(kind);
    const ThreeDisks three(kind);
    const DiskGroup group = three.group(three.disks);
    const GroupVolume& volume = group.volumes.at(0);
    REQUIRE(volume.state == "complete");
    Bytes other(volume.size);
    for (std::size_t i = 0; i < other.size(); ++i) other[i] = static_cast<std::byte>(0x5A ^ (i * 11 + i / 509));
    REQUIRE(volume.bytes->read(0, other.size()) != other);
    const auto copy = std::make_shared<MemorySource>(other, 512, "copy");
    std::vector<SourcePtr> spliced;
    for (std::size_t d = 0; d < 3; ++d) {
      spliced.push_back(disk_with_volume_bytes(three.disks[d], fmt::format("Disk{}", d + 1), volume, copy));
    }
    CHECK(three.group(spliced).volumes.at(0).bytes->read(0, other.size()) == other);
    // Outside the volume's extents each disk is as it was; inside, what the copy put there.
    for (std::size_t d = 0; d < 3; ++d) {
      const Bytes before = three.disks[d]->read(0, 400 * 512);
      const Bytes after = spliced[d]->read(0, 400 * 512);
      std::size_t inside = 0;
      for (std::size_t sector = 0; sector < 400; ++sector) {
        const bool in_extent = std::any_of(volume.extents.begin(), volume.extents.end(), [&](const Extent& e) {
          return e.disk == fmt::format("Disk{}", d + 1) && sector * 512 >= e.disk_offset && sector * 512 < e.disk_offset + e.size;
        });
        const bool same = std::equal(before.begin() + sector * 512, before.begin() + sector * 512 + 512, after.begin() + sector * 512);
        if (in_extent) inside += 1;
        if (!in_extent) CHECK_MESSAGE(same, "Disk" << d + 1 << " sector " << sector << " changed outside the volume");
      }
      const std::size_t on_disk = kind == "spanned" ? std::array{16, 0, 32}[d] : kind == "striped" ? 32u
                                  : kind == "raid5" ? 32u : std::array{40, 40, 0}[d];
      CHECK(inside == on_disk);  // the extents as the records place them (sectors of each disk)
    }
    // Each member alone where the layout allows: a mirror's plex holds all of it, RAID-5's
    // parity rebuilds a missing column.
    if (kind == "mirror" || kind == "raid5") {
      for (std::size_t missing = 0; missing < (kind == "mirror" ? 2u : 3u); ++missing) {
        std::vector<SourcePtr> given = spliced;
        given[missing] = nullptr;
        const DiskGroup degraded = three.group(given);
        REQUIRE(degraded.volumes.at(0).state == "degraded");
        CHECK(degraded.volumes[0].bytes->read(0, other.size()) == other);
      }
    }
  }
  // A copy of another size is refused.
  const ThreeDisks three("striped");
  const GroupVolume volume = three.group(three.disks).volumes.at(0);
  const auto short_copy = std::make_shared<MemorySource>(Bytes(512), 512, "short");
  CHECK_THROWS_AS(disk_with_volume_bytes(three.disks[0], "Disk1", volume, short_copy), FormatError);
}

}  // namespace diskimg::ldm
