/// @file
/// What a conversion copies: byte ranges of the source disk. Everything that lies outside
/// the partitions (the MBR and EBRs, both GPT headers and entry arrays, the gap before the
/// first partition where boot loaders live), every partition that is not NTFS in full, and
/// of each NTFS partition only the clusters its $Bitmap marks used (plus the backup boot
/// sector). Unpartitioned space after the first partition is not copied.
#pragma once

#include <diskimg/disk/disk.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace diskimg {

/// What plan_conversion leaves out.
struct PlanOptions {
  bool all_sectors = false;       ///< copy everything
  bool exclude_pagefile = false;  ///< leave out pagefile.sys, hiberfil.sys, swapfile.sys
};

/// Bytes [offset, offset + length) of the disk.
struct CopyRange {
  std::uint64_t offset = 0;  ///< bytes from the start of the disk
  std::uint64_t length = 0;  ///< bytes
  /// The first byte after the range.
  std::uint64_t end() const { return offset + length; }
};

/// The byte ranges of a disk that a conversion copies. A plain value.
struct ConversionPlan {
  std::uint64_t disk_size = 0;     ///< bytes: the size of the copy
  std::vector<CopyRange> ranges;   ///< sorted, disjoint, merged where adjacent
  /// What the layout places past the end of the source (a truncated image): partitions,
  /// or their ends, that cannot be copied. disk_size then reaches the furthest of them.
  std::vector<CopyRange> missing;
  std::vector<std::string> notes;  ///< what was decided and why ("volume 2: 1234 clusters used")
  /// The bytes the ranges cover.
  std::uint64_t bytes() const;
};

/// The ranges of `disk` to copy. An NTFS volume is read (its $Bitmap, and the excluded
/// files' runs); one that cannot be read is copied whole, with a note saying why. Of a
/// dynamic disk: its LDM database whole, and what its LDM volumes keep on this disk (an
/// NTFS volume's used clusters on every plex, with RAID-5 parity). Writes nothing; several
/// plans may be made at once from one Disk. Throws no diskimg::Error: what cannot be read
/// is copied whole.
ConversionPlan plan_conversion(const Disk& disk, const PlanOptions& options = {});

}  // namespace diskimg
