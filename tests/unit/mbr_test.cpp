#include "disk_builder.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/layout/mbr.hpp>
#include <diskimg/layout/partition_table.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using namespace diskimg;
using diskimg::test::DiskBuilder;

namespace {

bool any_warning_contains(const PartitionTable& table, std::string_view text) {
  return std::any_of(table.warnings.begin(), table.warnings.end(),
                     [&](const Warning& warning) {
                       return warning.what.find(text) != std::string::npos;
                     });
}

std::vector<unsigned> numbers(const PartitionTable& table) {
  std::vector<unsigned> out;
  for (const Partition& partition : table.partitions) out.push_back(partition.number);
  return out;
}

}  // namespace

TEST_CASE("primary partitions keep the number of their slot") {
  DiskBuilder disk(1 << 20);
  disk.mbr_entry(0, 1, 0x07, 64, 100, 0x80).mbr_entry(0, 3, 0x83, 200, 100);
  disk.put_le32(440, 0xCAFE0042);
  const PartitionTable table = read_partition_table(*disk.source());
  CHECK(table.scheme == Scheme::mbr);
  CHECK(table.disk_id() == "0xcafe0042");
  CHECK(numbers(table) == std::vector<unsigned>{2, 4});
  CHECK(table.partitions[0].bootable);
  CHECK(table.partitions[0].start == 64 * 512);
  CHECK(table.partitions[0].size == 100 * 512);
  CHECK(table.partitions[0].type() == "0x07");
  CHECK(table.warnings.empty());
}

TEST_CASE("logical partitions are relative to their EBR, EBR links to the extended start") {
  // Extended partition at LBA 100; EBRs at 100, 300 and 600 (links 200 and 500 relative
  // to LBA 100); each logical partition starts 10 sectors after its own EBR.
  DiskBuilder disk(1 << 20);
  disk.mbr_entry(0, 0, 0x0F, 100, 1000);
  disk.mbr_entry(100, 0, 0x07, 10, 50).mbr_entry(100, 1, 0x05, 200, 100);
  disk.mbr_entry(300, 0, 0x83, 10, 60).mbr_entry(300, 1, 0x05, 500, 100);
  disk.mbr_entry(600, 0, 0x0B, 10, 70);
  const PartitionTable table = read_partition_table(*disk.source());
  CHECK(numbers(table) == std::vector<unsigned>{1, 5, 6, 7});
  CHECK(table.partitions[0].extended);
  CHECK(table.partitions[1].start == 110 * 512);
  CHECK(table.partitions[2].start == 310 * 512);
  CHECK(table.partitions[3].start == 610 * 512);
  CHECK(table.partitions[3].size == 70 * 512);
  CHECK(table.partitions[3].logical);
  CHECK(table.structures.size() == 4);  // the MBR and three EBRs
  CHECK(table.warnings.empty());
}

TEST_CASE("an EBR chain that loops is cut with a warning, not followed forever") {
  DiskBuilder disk(1 << 20);
  disk.mbr_entry(0, 0, 0x05, 100, 1000);
  disk.mbr_entry(100, 0, 0x07, 10, 50).mbr_entry(100, 1, 0x05, 200, 100);
  disk.mbr_entry(300, 0, 0x07, 10, 50).mbr_entry(300, 1, 0x05, 200, 100);  // links to itself
  const PartitionTable table = read_partition_table(*disk.source());
  CHECK(numbers(table) == std::vector<unsigned>{1, 5, 6});
  CHECK(any_warning_contains(table, "loops back to LBA 300"));
}

TEST_CASE("an EBR link that leaves the extended partition or the disk ends the chain") {
  DiskBuilder disk(1 << 20);  // 2048 sectors
  disk.mbr_entry(0, 0, 0x05, 100, 1000);
  disk.mbr_entry(100, 0, 0x07, 10, 50).mbr_entry(100, 1, 0x05, 5000, 100);
  PartitionTable table = read_partition_table(*disk.source());
  CHECK(numbers(table) == std::vector<unsigned>{1, 5});
  CHECK(any_warning_contains(table, "outside extended partition 1"));

  DiskBuilder beyond(1 << 20);
  beyond.mbr_entry(0, 0, 0x05, 1900, 100000);  // the extended partition runs off the disk
  beyond.mbr_entry(1900, 1, 0x05, 500, 100);   // so does its first link
  table = read_partition_table(*beyond.source());
  CHECK(any_warning_contains(table, "lies past the end of the disk"));
  CHECK(any_warning_contains(table, "partition 1 (offset 0xed800, 51200000 bytes) extends past"));
}

TEST_CASE("a chain of thousands of EBRs is cut at the logical-partition limit") {
  const std::uint32_t links = 1500;
  DiskBuilder disk(std::uint64_t{links + 200} * 2 * 512);
  disk.mbr_entry(0, 0, 0x05, 2, links * 2 + 10);
  for (std::uint32_t i = 0; i < links; ++i) {
    const std::uint32_t ebr = 2 + 2 * i;
    disk.mbr_entry(ebr, 0, 0x83, 1, 1).mbr_entry(ebr, 1, 0x05, 2 * (i + 1), 2);
  }
  const PartitionTable table = read_partition_table(*disk.source());
  CHECK(table.partitions.size() == 1 + 1024);
  CHECK(any_warning_contains(table, "more than 1024 logical partitions"));
}

TEST_CASE("overlapping partitions are listed and warned about") {
  DiskBuilder disk(1 << 20);
  disk.mbr_entry(0, 0, 0x07, 100, 200).mbr_entry(0, 1, 0x07, 250, 100);
  const PartitionTable table = read_partition_table(*disk.source());
  CHECK(table.partitions.size() == 2);
  CHECK(any_warning_contains(table, "partitions 1 and 2 overlap"));
}

TEST_CASE("a volume boot sector or a sector with bad status bytes is not an MBR") {
  DiskBuilder ntfs(1 << 20);
  const std::string_view oem = "NTFS    ";
  ntfs.put(3, std::as_bytes(std::span(oem.data(), oem.size())));
  ntfs.put_u8(510, 0x55).put_u8(511, 0xAA);
  CHECK(read_partition_table(*ntfs.source()).scheme == Scheme::none);

  DiskBuilder garbage(1 << 20);
  garbage.mbr_entry(0, 0, 0x07, 100, 200, 0x12);
  CHECK(read_partition_table(*garbage.source()).scheme == Scheme::none);

  DiskBuilder blank(1 << 20);
  CHECK(read_partition_table(*blank.source()).scheme == Scheme::none);
  CHECK_THROWS_AS(read_mbr(*blank.source(), 512), FormatError);
}
