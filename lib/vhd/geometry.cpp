#include "core/enum_names.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vhd/vhd.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace diskimg::vhd {

namespace {

constexpr std::array<EnumName<VhdType>, 3> vhd_type_names{{
    {VhdType::fixed, "vhd-fixed"},
    {VhdType::dynamic, "vhd-dynamic"},
    {VhdType::differencing, "vhd-differencing"}}};

}  // namespace

std::string_view to_string(VhdType type) { return name_of(vhd_type_names, type, "vhd-fixed"); }

VhdType parse_vhd_type(std::string_view text) {
  if (const auto type = value_named(vhd_type_names, text)) return *type;
  throw UsageError(fmt::format("VHD format \"{}\": use {}", text, names_listed(vhd_type_names)));
}

// The specification's appendix "CHS Calculation", step for step.
Geometry chs_geometry(std::uint64_t total_sectors) {
  total_sectors = std::min<std::uint64_t>(total_sectors, 65535ULL * 16 * 255);
  std::uint64_t sectors_per_track = 0;
  std::uint64_t heads = 0;
  std::uint64_t cylinder_times_heads = 0;
  if (total_sectors >= 65535ULL * 16 * 63) {
    sectors_per_track = 255;
    heads = 16;
    cylinder_times_heads = total_sectors / sectors_per_track;
  } else {
    sectors_per_track = 17;
    cylinder_times_heads = total_sectors / sectors_per_track;
    heads = (cylinder_times_heads + 1023) / 1024;
    if (heads < 4) heads = 4;
    if (cylinder_times_heads >= heads * 1024 || heads > 16) {
      sectors_per_track = 31;
      heads = 16;
      cylinder_times_heads = total_sectors / sectors_per_track;
    }
    if (cylinder_times_heads >= heads * 1024) {
      sectors_per_track = 63;
      heads = 16;
      cylinder_times_heads = total_sectors / sectors_per_track;
    }
  }
  Geometry geometry;
  geometry.cylinders = static_cast<std::uint16_t>(cylinder_times_heads / heads);
  geometry.heads = static_cast<std::uint8_t>(heads);
  geometry.sectors_per_track = static_cast<std::uint8_t>(sectors_per_track);
  return geometry;
}

}  // namespace diskimg::vhd
