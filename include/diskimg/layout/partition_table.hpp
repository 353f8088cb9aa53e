/// @file
/// Partition layouts: the second layer. Reads an MBR (with its chain of extended boot
/// records) or a GPT from a byte source, and says where each partition lies.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/core/guid.hpp>
#include <diskimg/source/byte_source.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diskimg {

/// The partitioning scheme of a disk.
enum class Scheme {
  none,  ///< no partition table: the image is one volume, or nothing known
  mbr,   ///< a master boot record, with extended boot records for logical partitions
  gpt    ///< a GUID partition table
};
/// "none", "mbr", "gpt".
std::string_view to_string(Scheme scheme);

/// The structures a partition table consists of.
enum class StructureKind {
  mbr,                   ///< sector 0 of an MBR disk
  ebr,                   ///< an extended boot record in an EBR chain
  protective_mbr,        ///< sector 0 of a GPT disk
  gpt_primary_header,    ///< LBA 1, read as sound
  gpt_backup_header,     ///< the last LBA (or where the primary points), read as sound
  gpt_primary_entries,   ///< the entry array a sound primary header points to
  gpt_backup_entries,    ///< the entry array a sound backup header points to
  gpt_damaged_header,    ///< LBA 1 when the primary header could not be used
};
/// "MBR", "EBR", "protective MBR", "GPT primary header", ...
std::string_view to_string(StructureKind kind);

/// Bytes that belong to the partition table itself.
struct ByteRange {
  std::uint64_t offset = 0;                 ///< bytes from the start of the disk
  std::uint64_t length = 0;                 ///< bytes
  StructureKind kind = StructureKind::mbr;  ///< what the bytes hold
};

/// One partition, as the table describes it. A plain value.
struct Partition {
  /// Numbered as Linux, sfdisk and sgdisk number them: MBR primaries 1-4 by slot, logical
  /// partitions 5, 6, ... in chain order; GPT entries by slot from 1.
  unsigned number = 0;
  std::uint64_t start = 0;  ///< bytes from the start of the disk
  std::uint64_t size = 0;   ///< bytes
  bool bootable = false;    ///< MBR status 0x80
  bool logical = false;     ///< an MBR logical partition, inside an extended one
  bool extended = false;    ///< an MBR extended partition: a container, never a volume
  std::uint8_t mbr_type = 0;  ///< MBR only: the partition type byte
  Guid type_guid;           ///< GPT only: the partition type
  Guid guid;                ///< GPT only: the partition's unique GUID
  std::uint64_t attributes = 0;  ///< GPT only: the attribute bits
  std::string name;         ///< GPT only, UTF-8

  /// "0x07" for MBR, the type GUID for GPT.
  std::string type() const;
  /// "HPFS/NTFS/exFAT", "EFI System", ... or "unknown".
  std::string type_name() const;
  /// The first byte after the partition.
  std::uint64_t end() const { return start + size; }
};

/// A disk's partition table as read: plain values, checked once when read and trusted
/// after. Copy it freely, or share it read-only between threads.
struct PartitionTable {
  Scheme scheme = Scheme::none;     ///< which kind of table, if any
  std::uint32_t sector_size = 512;  ///< the logical sector size the table was read with
  std::uint32_t mbr_signature = 0;  ///< MBR disk signature (offset 440)
  Guid disk_guid;                   ///< GPT disk GUID
  /// MBR primaries by slot, then logical partitions in chain order; GPT entries by slot.
  std::vector<Partition> partitions;
  /// Bytes that belong to the layout itself: the MBR, each EBR, GPT headers and entry arrays.
  std::vector<ByteRange> structures;
  /// Damage that was worked around: a GPT primary header replaced by its backup, an EBR
  /// chain cut short, overlapping partitions.
  Warnings warnings;

  /// "0x1234abcd" for MBR, the disk GUID for GPT, "" for none.
  std::string disk_id() const;
  /// The partition with this number, or nullptr. The pointer is valid while `partitions`
  /// is not changed.
  const Partition* find(unsigned number) const;
};

/// How read_partition_table reads a disk.
struct LayoutOptions {
  /// The logical sector size; by default the source's, except that a GPT header found at
  /// byte 4096 rather than 512 means 4096-byte sectors.
  std::optional<std::uint32_t> sector_size;
};

/// Detects and reads the partition table. A disk whose first sector is a file system's
/// boot sector, that has no 0x55AA signature and no GPT header, or that is smaller than a
/// sector has Scheme::none. Throws FormatError when a table is there but cannot be used (a
/// protective MBR or a GPT signature with no valid GPT header), IoError when a sector
/// cannot be read.
PartitionTable read_partition_table(const ByteSource& disk, const LayoutOptions& options = {});

}  // namespace diskimg
