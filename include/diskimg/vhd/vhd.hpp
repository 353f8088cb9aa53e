/// @file
/// VHD images (Microsoft Virtual Hard Disk, format 1.0): what the footer and the dynamic
/// header say, as plain values. The reader (image.hpp), writer (writer.hpp) and checker
/// (check.hpp) share these and the on-disk structures, nothing else.
#pragma once

#include <diskimg/core/guid.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diskimg::vhd {

/// The three kinds of VHD (the footer's disk type).
enum class VhdType {
  fixed,         ///< the data as it is, then the footer
  dynamic,       ///< blocks allocated as they are written, found through the BAT
  differencing   ///< a dynamic disk whose unwritten sectors read from a parent VHD
};
/// "vhd-fixed", "vhd-dynamic", "vhd-differencing": the names ContainerFormat and
/// OutputFormat use for the same formats.
std::string_view to_string(VhdType type);
/// The reverse; throws UsageError for any other text.
VhdType parse_vhd_type(std::string_view text);

/// The largest dynamic or differencing disk the writer makes: 2040 GiB, which keeps the
/// BAT's 32-bit sector offsets (512-byte units) inside what they can address, with room for
/// the metadata.
inline constexpr std::uint64_t max_dynamic_size = 2040ULL << 30;
/// The block size of a new dynamic disk unless another is asked for: 2 MiB, the
/// specification's default.
inline constexpr std::uint32_t default_block_size = 2u << 20;
/// The smallest block size the writer accepts (512 KiB).
inline constexpr std::uint32_t min_block_size = 512u << 10;
/// The largest block size the writer and the reader accept (256 MiB).
inline constexpr std::uint32_t max_block_size = 256u << 20;

/// Cylinders, heads and sectors per track, as the specification's appendix computes them.
struct Geometry {
  std::uint16_t cylinders = 0;          ///< at most 65535
  std::uint8_t heads = 0;               ///< at most 16
  std::uint8_t sectors_per_track = 0;   ///< at most 255
  /// The product: the sectors the geometry addresses, which may be fewer than the disk has.
  std::uint64_t sectors() const { return std::uint64_t{cylinders} * heads * sectors_per_track; }
};
/// The geometry the specification's appendix gives a disk of `total_sectors` 512-byte
/// sectors (capped at 65535 x 16 x 255). Never throws.
Geometry chs_geometry(std::uint64_t total_sectors);

/// What a VHD's footer says, as plain values.
struct FooterInfo {
  std::uint32_t features = 0;           ///< 2: the reserved bit the format requires
  std::uint32_t format_version = 0;     ///< 0x00010000 for format 1.0
  std::uint64_t data_offset = 0;        ///< the dynamic header's offset; all ones for fixed
  std::uint32_t timestamp = 0;          ///< seconds since 2000-01-01 00:00:00 UTC
  std::string creator_application;      ///< "win ", "qemu", ...
  std::uint32_t creator_version = 0;    ///< the creator's own version number
  std::uint32_t creator_host_os = 0;    ///< "Wi2k" or "Mac " as a big-endian number
  std::uint64_t original_size = 0;      ///< bytes when the disk was created
  std::uint64_t current_size = 0;       ///< bytes the guest sees now
  Geometry geometry;                    ///< the CHS geometry recorded
  VhdType type = VhdType::fixed;        ///< the disk type
  std::uint32_t checksum = 0;           ///< as stored: one's complement of the byte sum
  Guid unique_id;                       ///< what a differencing child records of its parent
  bool saved_state = false;             ///< the disk was saved with a running machine
  /// While a differencing disk is being merged into this file: the child's unique ID. The
  /// file then reads as a mix of its old and new blocks; only through that child (or once
  /// the merge is run to its end) does it read right.
  std::optional<Guid> merging_child;
};

/// One parent locator of a differencing disk: where the parent may be.
struct LocatorInfo {
  std::string platform;                 ///< "W2ru", "W2ku", "MacX"
  std::string path;                     ///< decoded, UTF-8
  std::uint64_t data_offset = 0;        ///< where its bytes lie in the file
  std::uint32_t data_length = 0;        ///< how many bytes
};

/// What a dynamic or differencing disk's dynamic header says, as plain values.
struct HeaderInfo {
  std::uint64_t table_offset = 0;       ///< where the BAT lies in the file
  std::uint32_t max_table_entries = 0;  ///< BAT entries: at least one per block of the disk
  std::uint32_t block_size = 0;         ///< bytes of data per block
  Guid parent_unique_id;                ///< differencing: the parent's footer unique ID
  std::uint32_t parent_timestamp = 0;   ///< differencing: the parent's modification time
  std::string parent_name;              ///< UTF-8
  std::vector<LocatorInfo> locators;    ///< the W2ru, W2ku and MacX locators, in slot order
};

}  // namespace diskimg::vhd
