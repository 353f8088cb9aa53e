#include <diskimg/convert/plan.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/ldm/database.hpp>
#include <diskimg/ntfs/volume.hpp>
#include <diskimg/usedmap/used_map.hpp>

#include <algorithm>
#include <functional>

#include <fmt/format.h>

namespace diskimg {
namespace {

// Files Windows itself leaves out of backups (FilesNotToBackup): their contents are
// rebuilt at boot. Their clusters read as zeros in the copy; the entries stay valid.
constexpr std::string_view excluded_files[] = {"/pagefile.sys", "/hiberfil.sys", "/swapfile.sys"};

void add(std::vector<CopyRange>& ranges, std::uint64_t offset, std::uint64_t length) {
  if (length != 0) ranges.push_back({offset, length});
}

// Clusters of the excluded files, as a sorted list of cluster extents.
std::vector<ClusterExtent> excluded_clusters(const ntfs::Volume& volume, std::vector<std::string>& notes) {
  std::vector<ClusterExtent> excluded;
  for (const std::string_view path : excluded_files) {
    try {
      const ntfs::File file = volume.open_path(path);
      std::uint64_t clusters = 0;
      for (const ntfs::Attribute* extent : file.extents(ntfs::AttributeType::data)) {
        for (const ntfs::Run& run : extent->runs) {
          if (run.sparse()) continue;
          excluded.push_back({*run.lcn, run.length});
          clusters += run.length;
        }
      }
      notes.push_back(fmt::format("{}: {} clusters not copied", path, clusters));
    } catch (const NotFoundError&) {
    }
  }
  std::sort(excluded.begin(), excluded.end(),
            [](const ClusterExtent& a, const ClusterExtent& b) { return a.first < b.first; });
  return excluded;
}

// Where a volume's bytes go in the copy: (offset within the volume, length).
using Emit = std::function<void(std::uint64_t, std::uint64_t)>;

void add_ntfs_volume(const Volume& volume, const PlanOptions& options, const Emit& emit,
                     std::vector<std::string>& notes) {
  const auto ntfs = ntfs::Volume::open(volume.bytes);
  const UsedMap map = UsedMap::read(*ntfs);
  const std::uint64_t cluster = map.cluster_size();
  std::vector<ClusterExtent> excluded;
  if (options.exclude_pagefile) excluded = excluded_clusters(*ntfs, notes);
  std::size_t next_excluded = 0;
  map.for_each_extent([&](const ClusterExtent& extent) {
    std::uint64_t first = extent.first;
    const std::uint64_t end = extent.first + extent.count;
    while (first < end) {
      while (next_excluded < excluded.size() &&
             excluded[next_excluded].first + excluded[next_excluded].count <= first) {
        ++next_excluded;
      }
      std::uint64_t stop = end;
      if (next_excluded < excluded.size() && excluded[next_excluded].first < end) {
        const ClusterExtent& skip = excluded[next_excluded];
        if (skip.first <= first) {
          first = std::min(end, skip.first + skip.count);
          continue;
        }
        stop = skip.first;
      }
      emit(first * cluster, (stop - first) * cluster);
      first = stop;
    }
  });
  // The backup boot sector, in the last sector, past the last cluster.
  emit(map.backup_boot_sector_offset(),
       std::min<std::uint64_t>(map.sector_size(), volume.size - std::min(volume.size, map.backup_boot_sector_offset())));
  notes.push_back(fmt::format("volume {} ({}): NTFS, {} of {} clusters used", volume.index,
                              volume.origin_name(), map.used_clusters(), map.total_clusters()));
}

std::vector<CopyRange> merged(std::vector<CopyRange> ranges, std::uint64_t disk_size) {
  for (CopyRange& range : ranges) {
    range.offset = std::min(range.offset, disk_size);
    range.length = std::min(range.length, disk_size - range.offset);
  }
  std::sort(ranges.begin(), ranges.end(), [](const CopyRange& a, const CopyRange& b) { return a.offset < b.offset; });
  std::vector<CopyRange> out;
  for (const CopyRange& range : ranges) {
    if (range.length == 0) continue;
    if (!out.empty() && range.offset <= out.back().end()) {
      out.back().length = std::max(out.back().end(), range.end()) - out.back().offset;
    } else {
      out.push_back(range);
    }
  }
  return out;
}

// A volume by its used clusters when it is NTFS, otherwise whole (`whole`).
void add_volume(const Volume& volume, const PlanOptions& options, const Emit& emit, const std::function<void()>& whole,
                std::vector<std::string>& notes) {
  if (volume.filesystem == FilesystemKind::ntfs) {
    try {
      add_ntfs_volume(volume, options, emit, notes);
      return;
    } catch (const Error& error) {
      notes.push_back(fmt::format("volume {} ({}): copied whole: {}", volume.index, volume.origin_name(),
                                  error.what()));
    }
  } else {
    notes.push_back(fmt::format("volume {} ({}): {}, copied whole", volume.index, volume.origin_name(),
                                to_string(volume.filesystem)));
  }
  whole();
}

// A dynamic disk: its LDM database whole, and what its LDM volumes keep on this disk: for an
// NTFS volume the disk pieces of its used clusters (ldm::locate: every plex, RAID-5 parity);
// for the rest, and for volumes that cannot be assembled, their extents here whole.
void add_dynamic_disk(const Disk& disk, const PlanOptions& options, std::vector<CopyRange>& ranges,
                      std::vector<std::string>& notes) {
  const ldm::Database& database = *disk.ldm_database();
  add(ranges, database.config_start * database.sector_size, database.config_size * database.sector_size);
  notes.push_back("the LDM database: copied whole");
  const ldm::DiskGroup& group = *disk.ldm();
  const auto me = std::find_if(group.disks.begin(), group.disks.end(),
                               [&](const ldm::GroupDisk& d) { return d.guid == database.disk_guid; });
  if (me == group.disks.end()) return;
  for (const ldm::GroupVolume& group_volume : group.volumes) {
    const auto whole = [&] {
      for (const ldm::Extent& extent : group_volume.extents) {
        if (extent.disk == me->name) add(ranges, extent.disk_offset, extent.size);
      }
    };
    const auto volume = std::find_if(disk.volumes().begin(), disk.volumes().end(),
                                     [&](const Volume& v) {
                                       return v.origin == VolumeOrigin::ldm && v.ldm_name == group_volume.name;
                                     });
    if (volume == disk.volumes().end()) {
      notes.push_back(fmt::format("ldm {}: cannot be assembled, its extents on this disk copied whole", group_volume.name));
      whole();
      continue;
    }
    const ldm::Locator locator(group_volume);
    std::vector<ldm::DiskPiece> pieces;
    add_volume(*volume, options, [&](std::uint64_t o, std::uint64_t l) {
      pieces.clear();
      locator.locate(o, l, pieces);
      for (const ldm::DiskPiece& piece : pieces) {
        if (piece.disk == me->name) add(ranges, piece.offset, piece.length);
      }
    }, whole, notes);
  }
}

// Partitions (or their ends) past the end of the source: a truncated image. What is there
// of them is copied whole (no file system can be read from part of a volume); the copy's
// disk reaches the furthest, so that it lies where its table says.
void add_missing(const Disk& disk, ConversionPlan& plan, std::vector<CopyRange>& ranges) {
  for (const Partition& partition : disk.layout().partitions) {
    if (partition.extended || partition.end() <= disk.size()) continue;
    const std::uint64_t from = std::max(partition.start, disk.size());
    add(ranges, partition.start, from - partition.start);
    plan.missing.push_back({from, partition.end() - from});
    plan.disk_size = std::max(plan.disk_size, partition.end());
    plan.notes.push_back(fmt::format("partition {}: its {} bytes from offset {:#x} lie past the end of the source",
                                     partition.number, partition.end() - from, from));
  }
  plan.missing = merged(std::move(plan.missing), plan.disk_size);
}

}  // namespace

std::uint64_t ConversionPlan::bytes() const {
  std::uint64_t total = 0;
  for (const CopyRange& range : ranges) total += range.length;
  return total;
}

ConversionPlan plan_conversion(const Disk& disk, const PlanOptions& options) {
  ConversionPlan plan;
  plan.disk_size = disk.size();
  std::vector<CopyRange> ranges;
  add_missing(disk, plan, ranges);
  if (options.all_sectors) {
    plan.ranges.push_back({0, disk.size()});
    plan.notes.push_back("every sector");
    return plan;
  }
  const PartitionTable& layout = disk.layout();
  for (const ByteRange& structure : layout.structures) add(ranges, structure.offset, structure.length);
  std::uint64_t first_partition = disk.size();
  for (const Partition& partition : layout.partitions) first_partition = std::min(first_partition, partition.start);
  if (layout.scheme != Scheme::none) add(ranges, 0, first_partition);  // boot loaders live here

  for (const Volume& volume : disk.volumes()) {
    if (volume.origin == VolumeOrigin::ldm) continue;  // below, through the disk group
    add_volume(volume, options, [&](std::uint64_t o, std::uint64_t l) { add(ranges, volume.offset + o, l); },
               [&] { add(ranges, volume.offset, volume.size); }, plan.notes);
  }
  if (disk.ldm()) {
    add_dynamic_disk(disk, options, ranges, plan.notes);
  } else {
    // LDM partitions whose database could not be read: whole.
    for (const Partition& partition : layout.partitions) {
      if (ldm::is_ldm_partition(layout, partition)) add(ranges, partition.start, partition.size);
    }
  }
  plan.ranges = merged(std::move(ranges), disk.size());
  return plan;
}

}  // namespace diskimg
