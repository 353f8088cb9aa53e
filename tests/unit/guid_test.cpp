#include <diskimg/core/guid.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using namespace diskimg;

TEST_CASE("a GPT type GUID is read in mixed-endian order") {
  // The EFI system partition type as it lies on disk (UEFI spec, table 5-7 and the
  // bytes sgdisk writes): the first three fields are little-endian.
  const std::array<std::uint8_t, 16> raw{0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11,
                                         0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B};
  std::array<std::byte, 16> bytes{};
  std::transform(raw.begin(), raw.end(), bytes.begin(), [](auto b) { return std::byte{b}; });
  const Guid guid = Guid::from_mixed_endian(bytes);
  CHECK(guid.to_string() == "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
  CHECK(guid.to_mixed_endian() == bytes);
  CHECK(Guid::from_big_endian(bytes).to_string() == "28732AC1-1FF8-D211-BA4B-00A0C93EC93B");
}

TEST_CASE("GUID text parses in either case, with or without braces") {
  const auto guid = Guid::parse("{c12a7328-f81f-11d2-ba4b-00a0c93ec93b}");
  REQUIRE(guid.has_value());
  CHECK(guid->to_string() == "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
  CHECK_FALSE(Guid::parse("C12A7328-F81F-11D2-BA4B-00A0C93EC93").has_value());
  CHECK_FALSE(Guid::parse("C12A7328XF81F-11D2-BA4B-00A0C93EC93B").has_value());
  CHECK_FALSE(Guid::parse("G12A7328-F81F-11D2-BA4B-00A0C93EC93B").has_value());
}

TEST_CASE("random GUIDs are version 4 and differ") {
  const Guid a = Guid::random();
  const Guid b = Guid::random();
  CHECK(a != b);
  const std::string text = a.to_string();
  CHECK(text[14] == '4');
  CHECK(std::string("89AB").find(text[19]) != std::string::npos);
}
