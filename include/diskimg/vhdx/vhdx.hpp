/// @file
/// VHDX images (Microsoft Virtual Hard Disk v2, [MS-VHDX]): what the headers, region table
/// and metadata say, as plain values. The reader (image.hpp), writer (writer.hpp) and
/// checker (check.hpp) share these and the on-disk structures, nothing else.
#pragma once

#include <diskimg/core/guid.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace diskimg::vhdx {

/// How a VHDX holds its disk.
enum class VhdxType {
  fixed,         ///< every block allocated when the file is made (LeaveBlockAllocated)
  dynamic,       ///< blocks allocated as they are written
  differencing,  ///< blocks that differ from a parent VHDX (HasParent)
};
/// "vhdx-fixed", "vhdx-dynamic", "vhdx-differencing".
std::string_view to_string(VhdxType type);
/// The reverse; throws UsageError for any other text.
VhdxType parse_vhdx_type(std::string_view text);

/// The largest virtual disk the format holds: 64 TiB.
inline constexpr std::uint64_t max_size = 64ULL << 40;
/// Payload block sizes: powers of two from 1 MiB to 256 MiB.
inline constexpr std::uint32_t min_block_size = 1u << 20;
/// The largest payload block.
inline constexpr std::uint32_t max_block_size = 256u << 20;
/// Hyper-V's block size for dynamic disks, the default of an empty VHDX.
inline constexpr std::uint32_t default_block_size = 32u << 20;

/// The header in use: the valid one of the two with the larger sequence number.
struct HeaderInfo {
  std::uint64_t sequence_number = 0;  ///< grows by one with every header update
  Guid file_write_guid;               ///< new on every open for writing
  Guid data_write_guid;               ///< new before the disk's data first changes; a child's parent_linkage
  Guid log_guid;                      ///< zero: no log to replay
  std::uint16_t log_version = 0;      ///< 0
  std::uint16_t version = 0;          ///< 1
  std::uint32_t log_length = 0;       ///< bytes
  std::uint64_t log_offset = 0;       ///< bytes from the file's start
};

/// One entry of the region table: a region of the file.
struct RegionInfo {
  Guid guid;                          ///< what it holds (BAT, metadata, or unknown)
  std::uint64_t offset = 0;           ///< bytes from the file's start
  std::uint32_t length = 0;           ///< bytes
  bool required = false;              ///< a reader that does not know it must refuse the file
};

/// What the metadata region says of the disk.
struct MetadataInfo {
  std::uint32_t block_size = 0;             ///< bytes per payload block
  bool leave_blocks_allocated = false;      ///< a fixed disk
  bool has_parent = false;                  ///< a differencing disk
  std::uint64_t virtual_size = 0;           ///< bytes the guest sees
  Guid virtual_disk_id;                     ///< the disk's identity (SCSI page 83)
  std::uint32_t logical_sector_size = 0;    ///< 512 or 4096
  std::uint32_t physical_sector_size = 0;   ///< 512 or 4096
  /// Differencing disks: the parent locator's key/value pairs, in the order stored
  /// (parent_linkage, parent_linkage2, relative_path, volume_path, absolute_win32_path).
  std::vector<std::pair<std::string, std::string>> parent_locator;

  /// The value of a parent locator key; empty when it has none.
  std::optional<std::string> locator(std::string_view key) const;
};

/// What replaying the log did, when the file was not closed cleanly.
struct LogReplayInfo {
  std::uint64_t entries = 0;          ///< entries of the active sequence replayed
  std::uint64_t sectors = 0;          ///< 4 KiB sectors written by them
  std::uint64_t zeroed = 0;           ///< bytes zeroed by them
  std::uint64_t head_sequence = 0;    ///< the newest entry's sequence number
};

}  // namespace diskimg::vhdx
