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

/// The NTFS volume of `disk` a shadow copy of the whole disk is of: `volume` when given,
/// else the only NTFS volume holding shadow copies, else the only NTFS volume. Throws
/// UsageError when `volume` is not NTFS, NotFoundError when the disk has no NTFS volume or
/// several and none holding copies, VolumeChoiceError (with their indexes) when several hold
/// copies.
const Volume& volume_of_snapshots(const Disk& disk, std::optional<unsigned> volume);

/// `disk` with volume_of_snapshots(disk, volume) read as its shadow copy `snapshot` (from 1,
/// the oldest) saw it; the other volumes and the partition table as they are now, which a
/// line added to `notes` says. An LDM volume's copy goes back onto every member disk given,
/// through its layout (ldm::disk_with_volume_bytes), so that the group the result assembles
/// reads the copy. Shares the disk's sources. Throws what volume_of_snapshots throws,
/// UsageError for a shadow copy that is not listed, FormatError when the copy cannot be read.
Disk disk_as_of_snapshot(const Disk& disk, std::optional<unsigned> volume, unsigned snapshot,
                         std::vector<std::string>& notes);

}  // namespace diskimg
