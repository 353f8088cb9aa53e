/// @file
/// A disk as one of its NTFS volumes' shadow copies saw it: what `convert --snapshot N` copies.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/disk/disk.hpp>

#include <optional>
#include <string>
#include <vector>

namespace diskimg {

/// `volume` with its bytes as its shadow copy `snapshot` (from 1, the oldest) saw them, a
/// line saying so added to `notes`. Throws UsageError for a copy that is not listed,
/// FormatError when it cannot be read (vss::ShadowCopies::open).
Volume volume_as_of_snapshot(const Volume& volume, unsigned snapshot, std::vector<std::string>& notes);

/// `disk` with volume `volume` (or its only NTFS volume) read as its shadow copy `snapshot`
/// (from 1, the oldest) saw it; the other volumes and the partition table as they are now,
/// which a line added to `notes` says. An LDM volume's copy goes back onto every member disk
/// given, through its layout (ldm::disk_with_volume_bytes), so that the group the result
/// assembles reads the copy. Shares the disk's sources. Throws what Disk::select_volume
/// throws (no NTFS volume, several and none chosen), UsageError for a shadow copy that is
/// not listed, FormatError when the copy cannot be read.
Disk disk_as_of_snapshot(const Disk& disk, std::optional<unsigned> volume, unsigned snapshot,
                         std::vector<std::string>& notes);

}  // namespace diskimg
