/// @file
/// A copy that can be attached beside its original: a new MBR disk signature, or a new GPT
/// disk GUID and partition GUIDs (both headers and entry arrays, CRCs recomputed).
#pragma once

#include <diskimg/disk/disk.hpp>

namespace diskimg {

/// The disk's bytes with its identifiers replaced, read through the disk's source (shared,
/// kept alive); nothing is written. A disk without a partition table is returned unchanged.
/// Each call draws new identifiers. Throws IoError when the table's structures cannot be
/// read again, FormatError when they no longer fit.
SourcePtr with_new_disk_id(const Disk& disk);

}  // namespace diskimg
