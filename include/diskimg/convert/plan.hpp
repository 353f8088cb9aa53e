// What a conversion copies: byte ranges of the source disk. Everything that lies outside
// the partitions (the MBR and EBRs, both GPT headers and entry arrays, the gap before the
// first partition where boot loaders live), every partition that is not NTFS in full, and
// of each NTFS partition only the clusters its $Bitmap marks used (plus the backup boot
// sector). Unpartitioned space after the first partition is not copied.
#pragma once

#include <diskimg/disk/disk.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace diskimg {

struct PlanOptions {
  bool all_sectors = false;       // copy everything
  bool exclude_pagefile = false;  // leave out pagefile.sys, hiberfil.sys, swapfile.sys
};

struct CopyRange {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint64_t end() const { return offset + length; }
};

struct ConversionPlan {
  std::uint64_t disk_size = 0;
  std::vector<CopyRange> ranges;   // sorted, disjoint, merged where adjacent
  std::vector<std::string> notes;  // what was decided and why ("volume 2: 1234 clusters used")
  std::uint64_t bytes() const;
};

ConversionPlan plan_conversion(const Disk& disk, const PlanOptions& options = {});

}  // namespace diskimg
