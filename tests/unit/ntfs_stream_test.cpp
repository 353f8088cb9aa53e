// ntfs::Stream's holes (next_data, next_hole), from attributes built here: what extract
// leaves unwritten. The expected ranges follow from the format's rules: a sparse run reads
// as zeros, a compressed stream's unit stored in fewer clusters than it covers is data
// (its sparse tail belongs to the compressed bytes), and bytes past the initialized size
// read as zeros.
#include <diskimg/ntfs/attribute.hpp>
#include <diskimg/ntfs/stream.hpp>
#include <diskimg/source/memory_source.hpp>

#include <doctest/doctest.h>

using namespace diskimg;
using namespace diskimg::ntfs;

namespace {

constexpr std::uint64_t cluster = 4096;

// A nonresident $DATA of these runs; sizes in bytes.
Attribute data_attribute(Runlist runs, std::uint64_t data_size, std::uint64_t initialized_size,
                         std::uint8_t compression_unit = 0) {
  Attribute attribute;
  attribute.resident = false;
  attribute.runs = std::move(runs);
  attribute.last_vcn = attribute.runs.back().vcn + attribute.runs.back().length - 1;
  attribute.allocated_size = (attribute.last_vcn + 1) * cluster;
  attribute.data_size = data_size;
  attribute.initialized_size = initialized_size;
  attribute.compression_unit = compression_unit;
  if (compression_unit != 0) attribute.flags = Flags<AttributeFlag>(0x0001);  // LZNT1
  return attribute;
}

Stream stream_of(const Attribute& attribute) {
  auto volume = std::make_shared<MemorySource>(std::vector<std::byte>(64 * cluster));
  return Stream(volume, {static_cast<std::uint32_t>(cluster), 64}, {&attribute}, "test");
}

}  // namespace

TEST_CASE("an uncompressed stream's holes are its sparse runs and what lies past its initialized size") {
  const Attribute attribute = data_attribute({{0, 10, 2}, {2, std::nullopt, 3}, {5, 20, 1}}, 6 * cluster,
                                             5 * cluster + 2048);
  const Stream stream = stream_of(attribute);
  CHECK(stream.next_data(0) == 0);
  CHECK(stream.next_hole(0) == 2 * cluster);
  CHECK(stream.next_data(2 * cluster) == 5 * cluster);
  CHECK(stream.next_data(3 * cluster + 7) == 5 * cluster);
  CHECK(stream.next_hole(3 * cluster) == 3 * cluster);  // inside a hole
  CHECK(stream.next_hole(5 * cluster) == 5 * cluster + 2048);
  CHECK(stream.next_data(5 * cluster + 2048) == stream.size());
  CHECK(stream.next_data(stream.size()) == stream.size());
}

TEST_CASE("a compressed stream's hole is a whole sparse compression unit, not a unit's sparse tail") {
  // Units of 16 clusters: unit 0 stored in 4 clusters (then 12 sparse), unit 1 all sparse,
  // unit 2 stored whole.
  const Attribute attribute = data_attribute(
      {{0, 10, 4}, {4, std::nullopt, 12}, {16, std::nullopt, 16}, {32, 30, 16}}, 48 * cluster, 48 * cluster, 4);
  const Stream stream = stream_of(attribute);
  CHECK(stream.next_hole(0) == 16 * cluster);
  CHECK(stream.next_data(4 * cluster) == 4 * cluster);  // the tail of unit 0 is data
  CHECK(stream.next_data(16 * cluster) == 32 * cluster);
  CHECK(stream.next_hole(32 * cluster) == stream.size());
}

TEST_CASE("adjacent sparse runs make one hole, and a resident stream has none") {
  const Attribute attribute = data_attribute({{0, std::nullopt, 1}, {1, std::nullopt, 2}, {3, 9, 1}}, 4 * cluster,
                                             4 * cluster);
  const Stream stream = stream_of(attribute);
  CHECK(stream.next_data(0) == 3 * cluster);
  CHECK(stream.next_hole(0) == 0);
  Attribute resident;
  resident.value = std::vector<std::byte>(100, std::byte{1});
  const Stream small(std::make_shared<MemorySource>(std::vector<std::byte>(cluster)), {4096, 1}, {&resident}, "r");
  CHECK(small.next_data(0) == 0);
  CHECK(small.next_hole(0) == 100);
}
