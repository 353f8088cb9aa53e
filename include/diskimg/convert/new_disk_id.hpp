/// @file
/// A copy that can be attached beside its original: a new MBR disk signature, or a new GPT
/// disk GUID and partition GUIDs (both headers and entry arrays, CRCs recomputed); or, for
/// an incremental copy, the identifiers its parent was given.
#pragma once

#include <diskimg/disk/disk.hpp>
#include <diskimg/layout/rewrite.hpp>

namespace diskimg {

/// The disk's bytes with its identifiers replaced by `identifiers`, read through the disk's
/// source (shared, kept alive); nothing is written. A disk without a partition table is
/// returned unchanged. Throws IoError when the table's structures cannot be read again,
/// FormatError when they no longer fit.
SourcePtr with_disk_identifiers(const Disk& disk, const DiskIdentifiers& identifiers);

/// with_disk_identifiers with new random identifiers: each call draws new ones.
SourcePtr with_new_disk_id(const Disk& disk);

}  // namespace diskimg
