#include "json_output.hpp"
#include "format.hpp"
#include "warnings.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/file_name.hpp>
#include <diskimg/ntfs/volume.hpp>
#include <diskimg/usedmap/used_map.hpp>
#include <diskimg/vss/shadow_copies.hpp>

#include <fmt/format.h>

namespace diskimg::tool {

using json = nlohmann::ordered_json;

json to_json(const Partition& partition) {
  const bool gpt = !partition.type_guid.is_zero();
  json out = {
      {"number", partition.number},
      {"start", partition.start},
      {"size", partition.size},
      {"type", partition.type()},
      {"type_name", partition.type_name()},
      {"name", partition.name},
      {"guid", gpt ? json(partition.guid.to_string()) : json(nullptr)},
      {"bootable", partition.bootable},
      {"logical", partition.logical},
      {"extended", partition.extended},
  };
  if (gpt) out["attributes"] = partition.attributes;
  return out;
}

json used_clusters(const ntfs::Volume& volume) {
  try {
    return UsedMap::read(volume).used_clusters();
  } catch (const Error&) {
    return nullptr;
  }
}

json ntfs_json(const ntfs::Volume& volume) {
  const ntfs::BootSector& boot = volume.boot_sector();
  return {{"label", volume.label()},
          {"serial", fmt::format("{:016X}", boot.serial_number)},
          {"version", volume.version()},
          {"bytes_per_sector", boot.bytes_per_sector},
          {"cluster_size", boot.cluster_size},
          {"mft_record_size", boot.file_record_size},
          {"index_block_size", boot.index_block_size},
          {"total_clusters", boot.total_clusters},
          {"mft_records", volume.record_count()},
          {"used_clusters", used_clusters(volume)},
          {"warnings", messages(volume.warnings())}};
}

namespace {

// The volume's shadow copies, as vshadowinfo lists them; null when the volume cannot say.
json snapshots_json(const Volume& volume) {
  try {
    const vss::ShadowCopies copies(volume.bytes);
    print_warnings(copies.warnings());  // on stderr, as the disk's own
    json list = json::array();
    for (const vss::Snapshot& snapshot : copies.snapshots()) {
      json entry = {{"index", snapshot.index},
                    {"id", lower_guid(snapshot.id)},
                    {"shadow_copy_id", lower_guid(snapshot.shadow_copy_id)},
                    {"set_id", lower_guid(snapshot.set_id)},
                    {"created", ntfs::filetime_to_iso8601(snapshot.created)},
                    {"volume_size", snapshot.volume_size},
                    {"flags", snapshot.flags},
                    {"offline", snapshot.offline}};
      json extents = json::array();
      for (const vss::StoreExtent& extent : snapshot.store_extents) {
        extents.push_back({{"offset", extent.offset}, {"length", extent.length}, {"store_offset", extent.store_offset}});
      }
      entry["store_extents"] = std::move(extents);
      if (!snapshot.problem.empty()) entry["error"] = snapshot.problem;
      list.push_back(std::move(entry));
    }
    return list;
  } catch (const Error&) {
    return nullptr;
  }
}

}  // namespace

json to_json(const Volume& volume) {
  json ntfs = nullptr;
  json snapshots = json::array();
  if (volume.filesystem == FilesystemKind::ntfs) {
    try {
      ntfs = ntfs_json(*ntfs::Volume::open(volume.bytes));
    } catch (const Error& error) {
      ntfs = {{"error", error.what()}};
    }
    snapshots = snapshots_json(volume);
  }
  return {
      {"index", volume.index},
      {"source", volume.origin_name()},
      {"partition", volume.partition ? json(*volume.partition) : json(nullptr)},
      {"offset", volume.offset},
      {"size", volume.size},
      {"filesystem", std::string(to_string(volume.filesystem))},
      {"ntfs", ntfs},
      {"snapshots", snapshots},
  };
}

json ldm_json(const ldm::DiskGroup& group) {
  json disks = json::array();
  for (const ldm::GroupDisk& disk : group.disks) {
    disks.push_back({{"name", disk.name}, {"guid", disk.guid}, {"present", disk.source != nullptr},
                     {"source", disk.source ? json(disk.source->name()) : json(nullptr)},
                     {"data_start", disk.data_start}, {"data_size", disk.data_size}});
  }
  json volumes = json::array();
  for (const ldm::GroupVolume& volume : group.volumes) {
    json extents = json::array();
    for (const ldm::Extent& extent : volume.extents) {
      extents.push_back({{"name", extent.name}, {"disk", extent.disk}, {"disk_offset", extent.disk_offset},
                         {"data_offset", extent.data_offset},
                         {"volume_offset", extent.volume_offset}, {"size", extent.size}, {"plex", extent.plex},
                         {"column", extent.column}, {"present", extent.present}});
    }
    json entry = {{"name", volume.name},
                  {"guid", volume.guid},
                  {"layout", std::string(to_string(volume.layout))},
                  {"size", volume.size},
                  {"stripe_size", volume.stripe_size},
                  {"columns", volume.columns},
                  {"drive_hint", volume.drive_hint},
                  {"state", volume.state},
                  {"missing_disks", volume.missing_disks}};
    entry["extents"] = std::move(extents);
    volumes.push_back(std::move(entry));
  }
  // Moved, not copied (a brace list copies): a group may have tens of thousands of volumes.
  json out = {{"disk_group", group.name}, {"disk_group_guid", group.guid}};
  out["disks"] = std::move(disks);
  out["volumes"] = std::move(volumes);
  return out;
}

json inspect_json(const Disk& disk) {
  const PartitionTable& layout = disk.layout();
  json partitions = json::array();
  for (const Partition& partition : layout.partitions) partitions.push_back(to_json(partition));
  json volumes = json::array();
  for (const Volume& volume : disk.volumes()) volumes.push_back(to_json(volume));
  json out = {
      {"container",
       {{"format", std::string(to_string(disk.container().format))},
        {"virtual_size", disk.container().virtual_size},
        {"block_size", disk.container().block_size},
        {"log_replayed", disk.container().log_replayed},
        {"chain", disk.container().chain}}},
      {"sector_size", layout.sector_size},
      {"scheme", std::string(to_string(layout.scheme))},
      {"disk_id", layout.disk_id()},
  };
  out["partitions"] = std::move(partitions);
  out["ldm"] = disk.ldm() ? ldm_json(*disk.ldm()) : json(nullptr);
  out["volumes"] = std::move(volumes);
  out["warnings"] = messages(disk.warnings());
  return out;
}

}  // namespace diskimg::tool
