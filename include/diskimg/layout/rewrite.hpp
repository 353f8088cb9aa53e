/// @file
/// Rewriting partition tables: the bytes a copy of a disk needs where it must differ from the
/// original. Layout owns these bytes; callers (conversion) overlay the patches returned here
/// on the original with a PatchedSource and never touch table structures themselves.
#pragma once

#include <diskimg/layout/partition_table.hpp>
#include <diskimg/source/patched_source.hpp>

#include <cstdint>
#include <map>
#include <vector>

namespace diskimg {

/// The identifiers a disk carries: its MBR signature, or its GPT disk GUID and each
/// partition's unique GUID. A plain value.
struct DiskIdentifiers {
  std::uint32_t mbr_signature = 0;                 ///< MBR disks
  Guid disk_guid;                                  ///< GPT disks
  std::map<unsigned, Guid> partition_guids;        ///< GPT disks: by partition number
};

/// The identifiers `layout` records (an incremental copy's parent carries those its child
/// must carry again).
DiskIdentifiers identifiers_of(const PartitionTable& layout);
/// New random identifiers for a copy that is attached beside its original. Each call draws
/// new values.
DiskIdentifiers random_identifiers();

/// The patches that give a disk `identifiers`: its MBR signature, or its GPT disk GUID and
/// the partition GUIDs in both headers and entry arrays (CRCs recomputed; a partition that
/// `identifiers` does not name gets a new random GUID, the same in both copies). Nothing is
/// written: the patches are for a PatchedSource.
///
/// Only the headers `layout` lists as sound are rewritten. Returns no patches for a disk
/// without a partition table. The structures are read again and not checked again: `disk`
/// must still hold what `layout` was read from. Throws IoError when they cannot be read,
/// FormatError when a GPT entry no longer fits its array.
std::vector<Patch> identifier_patches(const ByteSource& disk, const PartitionTable& layout,
                                      const DiskIdentifiers& identifiers);

/// The one partition of a disk made around a single volume.
struct SinglePartition {
  std::uint8_t type = 0x07;         ///< MBR partition type
  bool bootable = true;             ///< status 0x80
  std::uint64_t first_lba = 0;      ///< in 512-byte sectors
  std::uint64_t sector_count = 0;   ///< in 512-byte sectors
};

/// A 512-byte MBR holding `partition` alone, with `disk_signature` and empty boot code.
/// Throws UsageError when the partition does not fit MBR's 32-bit LBA fields.
std::vector<std::byte> single_partition_mbr(std::uint32_t disk_signature,
                                            const SinglePartition& partition);

}  // namespace diskimg
