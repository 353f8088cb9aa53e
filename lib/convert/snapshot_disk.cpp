#include <diskimg/convert/snapshot_disk.hpp>
#include <diskimg/ntfs/file_name.hpp>
#include <diskimg/source/spliced_source.hpp>
#include <diskimg/vss/shadow_copies.hpp>

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

Disk disk_as_of_snapshot(const Disk& disk, std::optional<unsigned> volume, unsigned snapshot,
                         std::vector<std::string>& notes) {
  const Volume& chosen = disk.select_volume(volume, FilesystemKind::ntfs);
  if (chosen.origin == VolumeOrigin::ldm) {
    throw UsageError(fmt::format("a shadow copy of volume {} ({}) in its disk group: not supported yet; "
                                 "the volume alone in a disk of its own is", chosen.index, chosen.origin_name()));
  }
  const Volume taken = volume_as_of_snapshot(chosen, snapshot, notes);
  if (disk.volumes().size() > 1) notes.back() += "; the other volumes and the partition table as they are now";
  return Disk::from_source(std::make_shared<SplicedSource>(disk.source(), chosen.offset, taken.bytes), disk.container());
}

}  // namespace diskimg
