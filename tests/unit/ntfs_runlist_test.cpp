#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/runlist.hpp>

#include <doctest/doctest.h>

#include <initializer_list>

using namespace diskimg;
using namespace diskimg::ntfs;

namespace {

std::vector<std::byte> bytes(std::initializer_list<unsigned> values) {
  std::vector<std::byte> out;
  for (unsigned value : values) out.push_back(static_cast<std::byte>(value));
  return out;
}

}  // namespace

TEST_CASE("mapping pairs decode into runs with signed LCN deltas") {
  // The worked example of the Linux NTFS documentation (runlist.c): 0x30 clusters at
  // LCN 0x60, 0x10 at +0x100 (0x160), 0x20 at -0x20 (0x140).
  const auto runs = decode_runlist(
      bytes({0x11, 0x30, 0x60, 0x21, 0x10, 0x00, 0x01, 0x11, 0x20, 0xE0, 0x00}), 0, 1 << 20);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].vcn == 0);
  CHECK(runs[0].lcn == 0x60u);
  CHECK(runs[0].length == 0x30);
  CHECK(runs[1].vcn == 0x30);
  CHECK(runs[1].lcn == 0x160u);
  CHECK(runs[2].vcn == 0x40);
  CHECK(runs[2].lcn == 0x140u);
  CHECK(runs[2].length == 0x20);
}

TEST_CASE("a run without an offset field is sparse and keeps the previous LCN") {
  const auto runs =
      decode_runlist(bytes({0x11, 0x04, 0x10, 0x01, 0x08, 0x11, 0x02, 0x04, 0x00}), 100, 1000);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].vcn == 100);
  CHECK(runs[1].sparse());
  CHECK(runs[1].vcn == 104);
  CHECK(runs[1].length == 8);
  CHECK(runs[2].lcn == 0x14u);  // 0x10 + 4: the delta is from the last real LCN
}

TEST_CASE("eight-byte fields decode; larger ones are refused") {
  const auto runs = decode_runlist(
      bytes({0x08, 0x01, 0, 0, 0, 0, 0, 0, 0,
             0x88, 0x02, 0, 0, 0, 0, 0, 0, 0, 0x07, 0, 0, 0, 0, 0, 0, 0, 0x00}), 0, 1000);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].sparse());
  CHECK(runs[0].length == 1);
  CHECK(runs[1].lcn == 7u);
  CHECK(runs[1].length == 2);
  CHECK_THROWS_WITH_AS(decode_runlist(bytes({0x91, 0x01, 0x00}), 0, 1000),
                       doctest::Contains("header byte 0x91"), FormatError);
}

TEST_CASE("hostile mapping pairs are refused with the offset of the fault") {
  CHECK_THROWS_WITH_AS(decode_runlist(bytes({0x11, 0x00, 0x05, 0x00}), 0, 1000),
                       doctest::Contains("has length 0"), FormatError);
  CHECK_THROWS_WITH_AS(decode_runlist(bytes({0x21, 0x10, 0xE8, 0x03, 0x00}), 0, 1000),
                       doctest::Contains("(LCN 1000, 16 clusters) lies outside the volume"),
                       FormatError);
  CHECK_THROWS_WITH_AS(decode_runlist(bytes({0x11, 0x10, 0xF0, 0x00}), 0, 1000),
                       doctest::Contains("lies outside the volume"), FormatError);  // LCN -16
  CHECK_THROWS_WITH_AS(decode_runlist(bytes({0x31, 0x10, 0x05}), 0, 1000),
                       doctest::Contains("runs past the mapping pairs"), FormatError);
  // Length 2^63 - 1 and a VCN that would wrap.
  CHECK_THROWS_AS(decode_runlist(bytes({0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
                                        0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
                                        0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0}),
                                 0, 1000),
                  FormatError);
  // An LCN delta that overflows a signed 64-bit value.
  CHECK_THROWS_AS(decode_runlist(bytes({0x81, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                        0x7F, 0x81, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                        0xFF, 0x7F, 0x00}),
                                 0, ~0ULL),
                  FormatError);
}
