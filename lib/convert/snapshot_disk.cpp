#include <diskimg/convert/snapshot_disk.hpp>
#include <diskimg/ldm/volume_on_disk.hpp>
#include <diskimg/ntfs/file_name.hpp>
#include <diskimg/source/spliced_source.hpp>
#include <diskimg/vss/shadow_copies.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace diskimg {

Volume volume_as_of_snapshot(const Volume& volume, unsigned snapshot, std::vector<std::string>& notes) {
  const vss::ShadowCopies copies(volume.bytes);
  Volume taken = volume;
  taken.bytes = copies.open(snapshot);
  notes.push_back(fmt::format("volume {} ({}) as its shadow copy {} saw it (taken {})", volume.index,
                              volume.origin_name(), snapshot,
                              ntfs::filetime_to_iso8601(copies.snapshots().at(snapshot - 1).created)));
  return taken;
}

namespace {

// An LDM volume's copy goes back onto every member disk given (its stripes, plexes, parity),
// so that the group assembled from them reads the copy as that volume; the first disk is
// the one converted, the others lend their extents as before.
Disk group_as_of_snapshot(const Disk& disk, const Volume& chosen, const SourcePtr& copy) {
  const ldm::DiskGroup& group = disk.ldm().value();
  const auto found = std::find_if(group.volumes.begin(), group.volumes.end(),
                                  [&](const ldm::GroupVolume& v) { return v.name == chosen.ldm_name; });
  if (found == group.volumes.end()) {
    throw FormatError(fmt::format("ldm volume {} is not in the disk group any more", chosen.ldm_name),
                      {fmt::format("LDM volume {}", chosen.ldm_name), std::nullopt});
  }
  SourcePtr first;
  std::vector<SourcePtr> others;
  for (const ldm::GroupDisk& member : group.disks) {
    if (!member.source) continue;
    SourcePtr spliced = ldm::disk_with_volume_bytes(member.source, member.name, *found, copy);
    if (member.source == disk.source()) {
      first = std::move(spliced);
    } else {
      others.push_back(std::move(spliced));
    }
  }
  if (!first) {  // cannot happen: the disk shown is always a member of its own group
    throw FormatError(fmt::format("{} is not among its disk group's disks", disk.source()->name()),
                      {disk.source()->name(), std::nullopt});
  }
  return Disk::from_source(first, disk.container(), std::move(others));
}

}  // namespace

Disk disk_as_of_snapshot(const Disk& disk, std::optional<unsigned> volume, unsigned snapshot,
                         std::vector<std::string>& notes) {
  const Volume& chosen = disk.select_volume(volume, FilesystemKind::ntfs);
  const Volume taken = volume_as_of_snapshot(chosen, snapshot, notes);
  if (disk.volumes().size() > 1) notes.back() += "; the other volumes and the partition table as they are now";
  if (chosen.origin == VolumeOrigin::ldm) return group_as_of_snapshot(disk, chosen, taken.bytes);
  return Disk::from_source(std::make_shared<SplicedSource>(disk.source(), chosen.offset, taken.bytes), disk.container());
}

}  // namespace diskimg
