/// @file
/// From a volume's bytes back to its disks, the inverse of the layouts of disk_group.hpp:
/// what a member disk would hold had one of the group's volumes held other bytes (a shadow
/// copy of it, for `convert --snapshot` of a dynamic disk).
#pragma once

#include <diskimg/ldm/disk_group.hpp>

#include <string>

namespace diskimg::ldm {

/// `disk` (the member disk named `disk_name`) with every extent of `volume` on it reading
/// what `bytes` (`volume.size` bytes, laid out as `volume` lays out its own) puts there: its
/// share of the bytes for simple, spanned and striped volumes, all of them for each plex of
/// a mirror, and for RAID-5 the data chunks and parity computed from them. Everything else
/// of the disk (partition table, database, other volumes) reads as `disk` does. Assembling
/// the group from such disks gives `bytes` as the volume. Shares `disk` and `bytes`; reads
/// may come from several threads at once and throw what theirs throw. Throws FormatError
/// when `bytes` is not the volume's size, an extent does not lie inside `disk`, or the
/// volume's layout cannot be read (a striped or RAID-5 volume without a stripe size).
SourcePtr disk_with_volume_bytes(SourcePtr disk, const std::string& disk_name, const GroupVolume& volume,
                                 SourcePtr bytes);

}  // namespace diskimg::ldm
