// A copy that can be attached beside its original: a new MBR disk signature, or a new GPT
// disk GUID and partition GUIDs (both headers and entry arrays, CRCs recomputed).
#pragma once

#include <diskimg/disk/disk.hpp>

namespace diskimg {

// The disk's bytes with its identifiers replaced. A disk without a partition table is
// returned unchanged.
SourcePtr with_new_disk_id(const Disk& disk);

}  // namespace diskimg
