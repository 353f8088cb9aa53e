// VHD images (Microsoft Virtual Hard Disk, format 1.0): what the footer and the dynamic
// header say, as plain values. The reader (image.hpp), writer (writer.hpp) and checker
// (check.hpp) share these and the on-disk structures, nothing else.
#pragma once

#include <diskimg/core/guid.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diskimg::vhd {

enum class VhdType { fixed, dynamic, differencing };
// "vhd-fixed", "vhd-dynamic", "vhd-differencing": the names INTERFACE.md uses.
std::string_view to_string(VhdType type);
// The reverse; throws UsageError for any other text.
VhdType parse_vhd_type(std::string_view text);

// The largest dynamic or differencing disk: the BAT's 32-bit sector offsets (and the seed's
// "no volumes larger than 2040 GB").
inline constexpr std::uint64_t max_dynamic_size = 2040ULL << 30;
inline constexpr std::uint32_t default_block_size = 2u << 20;
inline constexpr std::uint32_t min_block_size = 512u << 10;
inline constexpr std::uint32_t max_block_size = 256u << 20;

// Cylinders, heads and sectors per track, as the specification's appendix computes them.
struct Geometry {
  std::uint16_t cylinders = 0;
  std::uint8_t heads = 0;
  std::uint8_t sectors_per_track = 0;
  std::uint64_t sectors() const { return std::uint64_t{cylinders} * heads * sectors_per_track; }
};
Geometry chs_geometry(std::uint64_t total_sectors);

struct FooterInfo {
  std::uint32_t features = 0;
  std::uint32_t format_version = 0;
  std::uint64_t data_offset = 0;
  std::uint32_t timestamp = 0;          // seconds since 2000-01-01 00:00:00 UTC
  std::string creator_application;      // "win ", "qemu", ...
  std::uint32_t creator_version = 0;
  std::uint32_t creator_host_os = 0;
  std::uint64_t original_size = 0;
  std::uint64_t current_size = 0;
  Geometry geometry;
  VhdType type = VhdType::fixed;
  std::uint32_t checksum = 0;
  Guid unique_id;
  bool saved_state = false;
  // While a differencing disk is being merged into this file: the child's unique ID. The
  // file then reads as a mix of its old and new blocks; only through that child (or once
  // the merge is run to its end) does it read right.
  std::optional<Guid> merging_child;
};

struct LocatorInfo {
  std::string platform;                 // "W2ru", "W2ku", "MacX"
  std::string path;                     // decoded
  std::uint64_t data_offset = 0;        // where its bytes lie in the file
  std::uint32_t data_length = 0;
};

struct HeaderInfo {
  std::uint64_t table_offset = 0;
  std::uint32_t max_table_entries = 0;
  std::uint32_t block_size = 0;
  Guid parent_unique_id;
  std::uint32_t parent_timestamp = 0;
  std::string parent_name;              // UTF-8
  std::vector<LocatorInfo> locators;
};

}  // namespace diskimg::vhd
