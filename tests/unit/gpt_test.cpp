#include "core/crc32.hpp"
#include "disk_builder.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/layout/gpt.hpp>
#include <diskimg/layout/partition_table.hpp>
#include <diskimg/source/memory_source.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using namespace diskimg;

namespace {

// gpt-windows.img: 64 MiB, 512-byte sectors, 128 entries at LBA 2, backup at LBA 131071.
constexpr std::uint64_t last_lba = 131071;

bool any_warning_contains(const PartitionTable& table, std::string_view text) {
  return std::any_of(table.warnings.begin(), table.warnings.end(),
                     [&](const Warning& warning) {
                       return warning.what.find(text) != std::string::npos;
                     });
}

PartitionTable read(std::vector<std::byte> bytes) {
  return read_partition_table(MemorySource(std::move(bytes)));
}

void flip(std::vector<std::byte>& bytes, std::uint64_t offset) { bytes.at(offset) ^= std::byte{1}; }

void set_le32(std::vector<std::byte>& bytes, std::uint64_t offset, std::uint32_t value) {
  for (unsigned i = 0; i < 4; ++i) bytes.at(offset + i) = static_cast<std::byte>(value >> (8 * i));
}

// Rewrites the header CRC of the header at `lba` so that only the fields changed count.
void reseal_header(std::vector<std::byte>& bytes, std::uint64_t lba) {
  const std::uint64_t at = lba * 512;
  set_le32(bytes, at + 16, 0);
  set_le32(bytes, at + 16, crc32_of(std::span(bytes).subspan(at, 92)));
}

}  // namespace

TEST_CASE("a damaged primary entry array sends the reader to the backup, with a warning") {
  auto bytes = test::load_fixture("layout/gpt-windows.img.gz");
  const PartitionTable intact = read(bytes);
  REQUIRE(intact.warnings.empty());
  flip(bytes, 2 * 512 + 40);  // first entry's first LBA
  const PartitionTable table = read(bytes);
  CHECK(any_warning_contains(table, "primary header (LBA 1, offset 0x200) is damaged: entry "
                                    "array CRC32 mismatch"));
  // The warning says where as values too: the primary header, at byte 512.
  CHECK(std::any_of(table.warnings.begin(), table.warnings.end(), [](const Warning& warning) {
    return warning.where == Location{"GPT primary header", 512};
  }));
  REQUIRE(table.partitions.size() == intact.partitions.size());
  CHECK(table.partitions[0].start == intact.partitions[0].start);
  CHECK(table.disk_guid == intact.disk_guid);
}

TEST_CASE("a damaged backup header leaves the primary in use, with a warning") {
  auto bytes = test::load_fixture("layout/gpt-windows.img.gz");
  flip(bytes, last_lba * 512 + 60);  // inside the disk GUID
  const PartitionTable table = read(bytes);
  CHECK(table.partitions.size() == 4);
  CHECK(any_warning_contains(table, "backup header (LBA 131071, offset 0x3fffe00) is damaged"));
}

TEST_CASE("with both headers damaged the error names both faults") {
  auto bytes = test::load_fixture("layout/gpt-windows.img.gz");
  flip(bytes, 512 + 60);
  std::fill_n(bytes.begin() + last_lba * 512, 8, std::byte{0});
  CHECK_THROWS_WITH_AS(read(bytes),
                       doctest::Contains("gpt: no usable header: primary (LBA 1, offset "
                                         "0x200): header CRC32 mismatch"),
                       FormatError);
  CHECK_THROWS_WITH_AS(read(bytes),
                       doctest::Contains("backup (LBA 131071, offset 0x3fffe00): no \"EFI "
                                         "PART\" signature"),
                       FormatError);
  try {
    read(bytes);
  } catch (const FormatError& error) {
    CHECK(error.where() == Location{"GPT primary header", 512});
  }
}

TEST_CASE("an absurd entry count is refused before anything is allocated") {
  auto bytes = test::load_fixture("layout/gpt-windows.img.gz");
  set_le32(bytes, 512 + 80, 0x7FFFFFFF);  // entry_count
  reseal_header(bytes, 1);
  const PartitionTable table = read(bytes);
  CHECK(any_warning_contains(table, "exceeds the 4194304-byte limit"));
  CHECK(table.partitions.size() == 4);  // from the backup
}

TEST_CASE("a disk grown after partitioning keeps its old backup, with a warning") {
  auto bytes = test::load_fixture("layout/gpt-windows.img.gz");
  bytes.resize(bytes.size() + (1 << 20));
  const PartitionTable table = read(bytes);
  CHECK(table.partitions.size() == 4);
  CHECK(any_warning_contains(table, "not at the last LBA 133119"));
}

TEST_CASE("a GPT without a protective MBR is still read, with a warning") {
  auto bytes = test::load_fixture("layout/gpt-windows.img.gz");
  std::fill_n(bytes.begin(), 512, std::byte{0});
  const PartitionTable table = read(bytes);
  CHECK(table.scheme == Scheme::gpt);
  CHECK(any_warning_contains(table, "no protective MBR"));
}

TEST_CASE("a protective MBR with no GPT header behind it is an error") {
  test::DiskBuilder disk(1 << 20);
  disk.mbr_entry(0, 0, 0xEE, 1, 2047);
  CHECK_THROWS_WITH_AS(read_partition_table(*disk.source()),
                       doctest::Contains("no \"EFI PART\" signature"), FormatError);
}

TEST_CASE("4096-byte sectors are found from where the header lies") {
  const auto bytes = test::load_fixture("layout/gpt-4k.img.gz");
  MemorySource disk(bytes);  // the source itself claims 512
  CHECK(find_gpt_sector_size(disk) == 4096u);
  const PartitionTable table = read_partition_table(disk);
  CHECK(table.sector_size == 4096);
  CHECK(table.warnings.empty());
}

TEST_CASE("entries with impossible LBAs are ignored with a warning") {
  auto bytes = test::load_fixture("layout/gpt-windows.img.gz");
  for (const std::uint64_t header_lba : {std::uint64_t{1}, last_lba}) {
    const std::uint64_t entries_lba = header_lba == 1 ? 2 : last_lba - 32;
    const std::uint64_t entry = entries_lba * 512 + 128;  // the second entry
    for (unsigned i = 0; i < 8; ++i) bytes.at(entry + 32 + i) = std::byte{0xFF};  // first LBA
    set_le32(bytes, header_lba * 512 + 88,
             crc32_of(std::span(bytes).subspan(entries_lba * 512, 128 * 128)));
    reseal_header(bytes, header_lba);
  }
  const PartitionTable table = read(bytes);
  CHECK(table.partitions.size() == 3);
  CHECK(any_warning_contains(table, "entry 2 has impossible LBAs"));
}
