#include <diskimg/convert/snapshot_disk.hpp>
#include <diskimg/ntfs/file_name.hpp>
#include <diskimg/source/spliced_source.hpp>
#include <diskimg/vss/shadow_copies.hpp>

#include <fmt/format.h>

namespace diskimg {

Disk disk_as_of_snapshot(const Disk& disk, std::optional<unsigned> volume, unsigned snapshot,
                         std::vector<std::string>& notes) {
  const Volume& chosen = disk.select_volume(volume, FilesystemKind::ntfs);
  if (chosen.origin == VolumeOrigin::ldm) {
    throw UsageError(fmt::format("a shadow copy of volume {} ({}): LDM volumes are not supported yet", chosen.index,
                                 chosen.origin_name()));
  }
  const vss::ShadowCopies copies(chosen.bytes);
  const SourcePtr copy = copies.open(snapshot);
  const vss::Snapshot& described = copies.snapshots().at(snapshot - 1);
  std::string note = fmt::format("volume {} ({}) as its shadow copy {} saw it (taken {})", chosen.index,
                                 chosen.origin_name(), snapshot, ntfs::filetime_to_iso8601(described.created));
  if (disk.volumes().size() > 1) note += "; the other volumes and the partition table as they are now";
  notes.push_back(std::move(note));
  return Disk::from_source(std::make_shared<SplicedSource>(disk.source(), chosen.offset, copy), disk.container());
}

}  // namespace diskimg
