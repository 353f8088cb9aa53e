#include <diskimg/convert/plan.hpp>
#include <diskimg/error.hpp>
#include <diskimg/ldm/database.hpp>
#include <diskimg/ntfs/volume.hpp>
#include <diskimg/usedmap/used_map.hpp>

#include <algorithm>

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
      for (const ntfs::Attribute* extent : file.extents(ntfs::attribute_type::data)) {
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

void add_ntfs_volume(const Volume& volume, const PlanOptions& options, std::vector<CopyRange>& ranges,
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
      add(ranges, volume.offset + first * cluster, (stop - first) * cluster);
      first = stop;
    }
  });
  // The backup boot sector, in the last sector, past the last cluster.
  add(ranges, volume.offset + map.backup_boot_sector_offset(),
      std::min<std::uint64_t>(map.sector_size(), volume.size - std::min(volume.size, map.backup_boot_sector_offset())));
  notes.push_back(fmt::format("volume {} ({}): NTFS, {} of {} clusters used", volume.index,
                              volume.origin, map.used_clusters(), map.total_clusters()));
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

}  // namespace

std::uint64_t ConversionPlan::bytes() const {
  std::uint64_t total = 0;
  for (const CopyRange& range : ranges) total += range.length;
  return total;
}

ConversionPlan plan_conversion(const Disk& disk, const PlanOptions& options) {
  ConversionPlan plan;
  plan.disk_size = disk.size();
  if (options.all_sectors) {
    plan.ranges.push_back({0, disk.size()});
    plan.notes.push_back("every sector");
    return plan;
  }
  std::vector<CopyRange> ranges;
  const PartitionTable& layout = disk.layout();
  for (const ByteRange& structure : layout.structures) add(ranges, structure.offset, structure.length);
  std::uint64_t first_partition = disk.size();
  for (const Partition& partition : layout.partitions) first_partition = std::min(first_partition, partition.start);
  if (layout.scheme != Scheme::none) add(ranges, 0, first_partition);  // boot loaders live here

  // A dynamic disk: its LDM partitions and its database whole. Its LDM volumes lie inside
  // those partitions (and on other disks), not at their own offsets on this one.
  for (const Partition& partition : layout.partitions) {
    if (!ldm::is_ldm_partition(layout, partition)) continue;
    add(ranges, partition.start, partition.size);
    plan.notes.push_back(fmt::format("partition {}: LDM, copied whole", partition.number));
  }
  if (const auto& database = disk.ldm_database()) {
    add(ranges, database->config_start * database->sector_size, database->config_size * database->sector_size);
    plan.notes.push_back("the LDM database: copied whole");
  }
  for (const Volume& volume : disk.volumes()) {
    if (volume.ldm) continue;
    if (volume.filesystem == FilesystemKind::ntfs) {
      try {
        add_ntfs_volume(volume, options, ranges, plan.notes);
        continue;
      } catch (const Error& error) {
        plan.notes.push_back(fmt::format("volume {} ({}): copied whole: {}", volume.index, volume.origin,
                                         error.what()));
      }
    } else {
      plan.notes.push_back(fmt::format("volume {} ({}): {}, copied whole", volume.index, volume.origin,
                                       to_string(volume.filesystem)));
    }
    add(ranges, volume.offset, volume.size);
  }
  plan.ranges = merged(std::move(ranges), disk.size());
  return plan;
}

}  // namespace diskimg
