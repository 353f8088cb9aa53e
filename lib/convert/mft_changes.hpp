// ChangeDetection::mft: which clusters of the NTFS volumes an incremental conversion takes
// as unchanged, from the MFTs of the source and of the parent chain, without reading the
// clusters themselves.
#pragma once

#include <diskimg/convert/plan.hpp>
#include <diskimg/disk/disk.hpp>

#include <string>
#include <vector>

namespace diskimg {

// What unchanged_by_mft found.
struct UnchangedByMft {
  std::vector<CopyRange> ranges;   // bytes of the disk, sorted and disjoint
  std::vector<std::string> notes;  // per NTFS volume: how many files, or why none
};

// The clusters of the files on `copied`'s NTFS volumes (partitions and whole images; LDM
// volumes are compared whole) whose MFT records are byte for byte those the parent's
// volume in the same place has (fixups applied), with the child records a resident
// attribute list names. Left out, and so compared: the records below 24 and everything in
// $Extend (the metadata files), directories, files with a nonresident attribute list,
// index allocations, and whatever cannot be read or parsed. A volume whose geometry
// differs from the parent's, or that either side cannot open, takes nothing as unchanged
// (a note says why). Throws IoError when an MFT cannot be read.
UnchangedByMft unchanged_by_mft(const Disk& copied, const Disk& parent);

}  // namespace diskimg
