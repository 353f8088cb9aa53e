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

const Volume& volume_of_snapshots(const Disk& disk, std::optional<unsigned> volume) {
  if (volume) return disk.select_volume(volume, FilesystemKind::ntfs);
  std::vector<const Volume*> holding;
  unsigned ntfs_volumes = 0;
  for (const Volume& candidate : disk.volumes()) {
    if (candidate.filesystem != FilesystemKind::ntfs) continue;
    ++ntfs_volumes;
    try {
      if (!vss::ShadowCopies(candidate.bytes).snapshots().empty()) holding.push_back(&candidate);
    } catch (const Error&) {
      // A volume that cannot be read holds no copy that could be converted.
    }
  }
  if (holding.size() == 1) return *holding.front();
  if (holding.empty()) {
    if (ntfs_volumes <= 1) return disk.select_volume(std::nullopt, FilesystemKind::ntfs);  // says why not
    throw NotFoundError(fmt::format("{} has {} NTFS volumes, and none holds shadow copies", disk.source()->name(),
                                    ntfs_volumes),
                        {disk.source()->name(), std::nullopt});
  }
  std::string choices;
  std::vector<unsigned> indexes;
  for (const Volume* candidate : holding) {
    choices += fmt::format("{}{} ({})", choices.empty() ? "" : ", ", candidate->index, candidate->origin_name());
    indexes.push_back(candidate->index);
  }
  throw VolumeChoiceError(fmt::format("{} has several NTFS volumes holding shadow copies, and none was chosen as "
                                      "the one the copy is of: {}", disk.source()->name(), choices),
                          std::move(indexes));
}

Disk disk_as_of_snapshot(const Disk& disk, std::optional<unsigned> volume, unsigned snapshot,
                         std::vector<std::string>& notes) {
  const Volume& chosen = volume_of_snapshots(disk, volume);
  const Volume taken = volume_as_of_snapshot(chosen, snapshot, notes);
  if (disk.volumes().size() > 1) notes.back() += "; the other volumes and the partition table as they are now";
  if (chosen.origin == VolumeOrigin::ldm) return group_as_of_snapshot(disk, chosen, taken.bytes);
  return Disk::from_source(std::make_shared<SplicedSource>(disk.source(), chosen.offset, taken.bytes), disk.container());
}

}  // namespace diskimg
