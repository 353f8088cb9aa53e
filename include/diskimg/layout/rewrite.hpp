/// @file
/// Rewriting partition tables: the bytes a copy of a disk needs where it must differ from the
/// original. Layout owns these bytes; callers (conversion) overlay the patches returned here
/// on the original with a PatchedSource and never touch table structures themselves.
#pragma once

#include <diskimg/layout/partition_table.hpp>
#include <diskimg/source/patched_source.hpp>

#include <cstdint>
#include <vector>

namespace diskimg {

/// New identifiers for a copy that is attached beside its original: a new random MBR disk
/// signature, or a new random GPT disk GUID and new partition GUIDs in both headers and
/// entry arrays (the same new GUID for a slot in both copies; CRCs recomputed). Each call
/// draws new random values. Nothing is written: the patches are for a PatchedSource.
///
/// Only the headers `layout` lists as sound are rewritten. Returns no patches for a disk
/// without a partition table. The structures are read again and not checked again: `disk`
/// must still hold what `layout` was read from. Throws IoError when they cannot be read,
/// FormatError when a GPT entry no longer fits its array.
std::vector<Patch> new_identifier_patches(const ByteSource& disk, const PartitionTable& layout);

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
