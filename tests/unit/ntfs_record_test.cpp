#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/attribute_list.hpp>
#include <diskimg/ntfs/boot_sector.hpp>
#include <diskimg/ntfs/file_record.hpp>
#include <diskimg/ntfs/lznt1.hpp>
#include <diskimg/ntfs/standard_information.hpp>

#include <doctest/doctest.h>

#include <cstring>
#include <string>

using namespace diskimg;
using namespace diskimg::ntfs;

namespace {

void put16(std::vector<std::byte>& bytes, std::size_t offset, unsigned value) {
  bytes.at(offset) = static_cast<std::byte>(value & 0xFF);
  bytes.at(offset + 1) = static_cast<std::byte>((value >> 8) & 0xFF);
}
void put32(std::vector<std::byte>& bytes, std::size_t offset, std::uint32_t value) {
  put16(bytes, offset, value & 0xFFFF);
  put16(bytes, offset + 2, value >> 16);
}
void put64(std::vector<std::byte>& bytes, std::size_t offset, std::uint64_t value) {
  put32(bytes, offset, static_cast<std::uint32_t>(value));
  put32(bytes, offset + 4, static_cast<std::uint32_t>(value >> 32));
}

// A FILE record as NTFS 3.1 lays one out (libfsntfs "MFT entry header"): USA at 0x30,
// attributes from 0x38, with a resident $DATA "hello" and the end marker. The update
// sequence is applied, as it is on disk.
std::vector<std::byte> make_record(std::size_t size = 1024, std::size_t stride = 512) {
  std::vector<std::byte> record(size);
  std::memcpy(record.data(), "FILE", 4);
  const std::size_t sectors = size / stride;
  put16(record, 0x04, 0x30);             // USA offset
  put16(record, 0x06, static_cast<unsigned>(1 + sectors));  // USA count
  const std::size_t first = (0x30 + 2 * (1 + sectors) + 7) / 8 * 8;
  put16(record, 0x10, 7);                // sequence
  put16(record, 0x12, 1);                // links
  put16(record, 0x14, static_cast<unsigned>(first));  // first attribute
  put16(record, 0x16, 0x0001);           // in use
  put32(record, 0x1C, static_cast<std::uint32_t>(size));
  std::size_t at = first;
  put32(record, at, 0x80);               // $DATA
  put32(record, at + 4, 0x20);           // length
  record[at + 8] = std::byte{0};         // resident
  put16(record, at + 0x0E, 1);           // instance
  put32(record, at + 0x10, 5);           // value length
  put16(record, at + 0x14, 0x18);        // value offset
  std::memcpy(record.data() + at + 0x18, "hello", 5);
  at += 0x20;
  put32(record, at, 0xFFFFFFFF);
  put32(record, 0x18, static_cast<std::uint32_t>(at + 8));  // bytes in use
  // Update sequence number 0x0042; the real last two bytes of each sector go to the USA.
  put16(record, 0x30, 0x0042);
  for (std::size_t sector = 0; sector < sectors; ++sector) {
    const std::size_t end = (sector + 1) * stride - 2;
    put16(record, 0x30 + 2 * (sector + 1), 0xAB00 + static_cast<unsigned>(sector));
    put16(record, end, 0x0042);
  }
  return record;
}

}  // namespace

TEST_CASE("a file record's fixups are checked and applied, its attributes parsed") {
  auto bytes = make_record();
  const FileRecord record = parse_file_record(bytes, 42, 1000);
  CHECK(record.number == 42);
  CHECK(record.sequence == 7);
  CHECK(record.in_use());
  CHECK_FALSE(record.is_directory());
  REQUIRE(record.attributes.size() == 1);
  CHECK(record.attributes[0].type == AttributeType::data);
  CHECK(record.attributes[0].value.size() == 5);
  CHECK(bytes[510] == std::byte{0x00});  // the USA's saved bytes are back in place
  CHECK(bytes[511] == std::byte{0xAB});
  CHECK(bytes[1022] == std::byte{0x01});
}

TEST_CASE("4096-byte records with 512-byte strides, and one 4096-byte stride, both apply") {
  auto eight = make_record(4096, 512);
  CHECK_NOTHROW(parse_file_record(eight, 1, 1000));
  auto one = make_record(4096, 4096);
  CHECK_NOTHROW(parse_file_record(one, 1, 1000));
}

TEST_CASE("a fixup mismatch names the record and the sector") {
  auto bytes = make_record();
  put16(bytes, 1022, 0x0043);
  CHECK_THROWS_WITH_AS(parse_file_record(bytes, 4711, 1000, 0x40123400),
                       "ntfs: MFT record 4711 (volume offset 0x40123400): update sequence "
                       "mismatch in sector 1",
                       FormatError);
  try {
    parse_file_record(bytes, 4711, 1000, 0x40123400);
    FAIL("no error");
  } catch (const FormatError& error) {
    CHECK(error.where() == Location{"MFT record 4711", 0x40123400});
  }
}

TEST_CASE("BAAD records and records without FILE are errors for that record") {
  auto bad = make_record();
  std::memcpy(bad.data(), "BAAD", 4);
  CHECK_THROWS_WITH_AS(parse_file_record(bad, 9, 1000), doctest::Contains("marked BAAD"), FormatError);
  auto blank = std::vector<std::byte>(1024);
  CHECK_THROWS_WITH_AS(parse_file_record(blank, 9, 1000), doctest::Contains("no FILE signature"),
                       FormatError);
}

TEST_CASE("attribute lengths of 0 or past the record are refused, not looped on") {
  auto zero = make_record();
  put32(zero, 0x38 + 4, 0);
  CHECK_THROWS_WITH_AS(parse_file_record(zero, 3, 1000), doctest::Contains("has length 0"),
                       FormatError);
  auto past = make_record();
  put32(past, 0x38 + 4, 0x1000);
  CHECK_THROWS_WITH_AS(parse_file_record(past, 3, 1000), doctest::Contains("has length 4096"),
                       FormatError);
  auto value = make_record();
  put32(value, 0x38 + 0x10, 0x100);  // value length past the attribute
  CHECK_THROWS_WITH_AS(parse_file_record(value, 3, 1000),
                       doctest::Contains("runs past the attribute"), FormatError);
  auto unterminated = make_record();
  put32(unterminated, 0x58, 0x80);       // the end marker becomes a type...
  put32(unterminated, 0x18, 0x5C);       // ...and bytes in use stop inside it
  CHECK_THROWS_AS(parse_file_record(unterminated, 3, 1000), FormatError);
}

TEST_CASE("attribute list entries that lie about their length are refused") {
  std::vector<std::byte> list(64);
  put32(list, 0, 0x80);
  put16(list, 4, 0x20);
  put64(list, 0x10, (std::uint64_t{3} << 48) | 70);
  put16(list, 0x18, 2);
  put32(list, 0x20, 0x80);
  put16(list, 0x24, 0x20);
  put64(list, 0x28, 4096);
  put64(list, 0x30, (std::uint64_t{3} << 48) | 71);
  const auto entries = parse_attribute_list(list);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].record.record == 70);
  CHECK(entries[0].record.sequence == 3);
  CHECK(entries[1].first_vcn == 4096);

  put16(list, 0x24, 0);
  CHECK_THROWS_WITH_AS(parse_attribute_list(list), doctest::Contains("has length 0"), FormatError);
  put16(list, 0x24, 0x80);
  CHECK_THROWS_WITH_AS(parse_attribute_list(list), doctest::Contains("has length 128"), FormatError);
  put16(list, 0x24, 0x20);
  list[0x26] = std::byte{40};  // a 40-character name in a 32-byte entry
  list[0x27] = std::byte{0x1A};
  CHECK_THROWS_WITH_AS(parse_attribute_list(list), doctest::Contains("name runs past"), FormatError);
}

TEST_CASE("the boot sector's cluster and record size encodings") {
  std::vector<std::byte> sector(512);
  std::memcpy(sector.data() + 3, "NTFS    ", 8);
  put16(sector, 0x0B, 512);
  sector[0x0D] = std::byte{0xF4};          // 2^(256-244) = 4096 sectors: 2 MiB clusters
  put64(sector, 0x28, 1ULL << 32);          // sectors
  put64(sector, 0x30, 4);
  put64(sector, 0x38, 5);
  sector[0x40] = std::byte{0xF6};           // -10: 1024-byte records
  sector[0x44] = std::byte{0x01};           // one cluster per index block (2 MiB: too big)
  put64(sector, 0x48, 0x1122334455667788ULL);
  const std::uint64_t volume = (1ULL << 32) * 512 + 512;
  CHECK_THROWS_WITH_AS(parse_boot_sector(sector, volume), doctest::Contains("index block size"),
                       FormatError);
  sector[0x44] = std::byte{0xF4};           // -12: 4096
  const BootSector boot = parse_boot_sector(sector, volume);
  CHECK(boot.cluster_size == 2u << 20);
  CHECK(boot.file_record_size == 1024);
  CHECK(boot.index_block_size == 4096);
  CHECK(boot.total_clusters == (1ULL << 32) / 4096);
  CHECK(boot.serial_number == 0x1122334455667788ULL);

  sector[0x0D] = std::byte{0xF3};           // 8192 sectors: 4 MiB, past the 2 MiB limit
  CHECK_THROWS_AS(parse_boot_sector(sector, volume), FormatError);
  sector[0x0D] = std::byte{8};
  CHECK_THROWS_WITH_AS(parse_boot_sector(sector, 4096), doctest::Contains("do not fit"),
                       FormatError);
  sector[0x40] = std::byte{0x80};           // -128: 2^128 bytes
  CHECK_THROWS_AS(parse_boot_sector(sector, volume), FormatError);
}

TEST_CASE("LZNT1 literals and back-references, including overlapping copies") {
  // One compressed chunk (header 0xB005: compressed, signature 3, 6 stored bytes): flags
  // 0x08 = three literals then a token; token 0x2006 at position 3 means 3 back, 9 long.
  const std::vector<std::byte> input = {
      std::byte{0x05}, std::byte{0xB0}, std::byte{0x08}, std::byte{'a'},
      std::byte{'b'},  std::byte{'c'},  std::byte{0x06}, std::byte{0x20}};
  std::vector<std::byte> output(12);
  CHECK(lznt1_decompress(input, output) == 12);
  CHECK(std::string(reinterpret_cast<const char*>(output.data()), 12) == "abcabcabcabc");

  std::vector<std::byte> bad = input;
  bad[7] = std::byte{0x50};  // 6 back from position 3
  CHECK_THROWS_WITH_AS(lznt1_decompress(bad, output), doctest::Contains("back-reference"),
                       FormatError);
  std::vector<std::byte> cut(input.begin(), input.end() - 1);
  CHECK_THROWS_WITH_AS(lznt1_decompress(cut, output), doctest::Contains("runs past"), FormatError);
}

TEST_CASE("FILETIMEs print as ISO 8601 UTC with all seven decimals, across leap days and centuries") {
  using diskimg::ntfs::filetime_to_iso8601;
  CHECK(filetime_to_iso8601(0) == "1601-01-01T00:00:00.0000000Z");
  CHECK(filetime_to_iso8601(116444736000000000ULL) == "1970-01-01T00:00:00.0000000Z");  // the Unix epoch
  CHECK(filetime_to_iso8601(133537247999999999ULL) == "2024-02-29T23:59:59.9999999Z");  // a leap day's last tick
  CHECK(filetime_to_iso8601(125963424000000000ULL) == "2000-03-01T00:00:00.0000000Z");  // after 2000's leap day
  CHECK(filetime_to_iso8601(94405824000000000ULL) == "1900-03-01T00:00:00.0000000Z");   // 1900 had none
}

TEST_CASE("$STANDARD_INFORMATION: the 48-byte form has no owner or USN, the 72-byte form has them, shorter is an error") {
  std::vector<std::byte> value(72);
  const auto put = [&](std::size_t at, std::uint64_t number, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) value[at + i] = static_cast<std::byte>(number >> (8 * i));
  };
  put(0x08, 133537247999999999ULL, 8);  // modified
  put(0x20, 0x23, 4);                   // readonly, hidden, archive
  put(0x34, 257, 4);                    // security id
  put(0x40, 0x1234, 8);                 // USN
  const auto full = diskimg::ntfs::parse_standard_information(value);
  CHECK(full.times.modified == 133537247999999999ULL);
  CHECK(diskimg::ntfs::file_attribute_names(full.file_attributes) ==
        std::vector<std::string>{"readonly", "hidden", "archive"});
  CHECK(full.security_id == 257u);
  CHECK(full.usn == 0x1234u);
  const auto old = diskimg::ntfs::parse_standard_information(std::span(value).first(48));
  CHECK(old.times.modified == 133537247999999999ULL);
  CHECK_FALSE(old.security_id.has_value());
  CHECK_FALSE(old.usn.has_value());
  CHECK_THROWS_AS(diskimg::ntfs::parse_standard_information(std::span(value).first(47)), diskimg::FormatError);
}
