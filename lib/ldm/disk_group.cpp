// Assembling a disk group: members matched to disk records, volumes built from their
// components and partition records.
#include "core/enum_names.hpp"
#include "ldm/volume_sources.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ldm/disk_group.hpp>
#include <diskimg/source/slice_source.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

namespace diskimg::ldm {
namespace {

constexpr std::array<EnumName<VolumeLayout>, 5> volume_layout_names{{
    {VolumeLayout::simple, "simple"},
    {VolumeLayout::spanned, "spanned"},
    {VolumeLayout::striped, "striped"},
    {VolumeLayout::mirror, "mirror"},
    {VolumeLayout::raid5, "raid5"}}};

// Sectors as bytes; a count too large for 64-bit byte offsets is an error naming `what`.
std::uint64_t bytes_of(std::uint64_t sectors, std::uint64_t sector_size, const std::string& what) {
  if (sectors > UINT64_MAX / sector_size) {
    throw FormatError(fmt::format("ldm: {}: {} sectors do not fit 64-bit byte offsets", what, sectors), {"LDM " + what, std::nullopt});
  }
  return sectors * sector_size;
}

// The records by the id that joins them, made once: a database may hold 130,000 records,
// and looking each parent's children up by a scan of every record is quadratic (116,000
// records took 12.6 s). Children keep the database's order.
struct RecordIndex {
  std::unordered_map<std::uint64_t, std::vector<const ComponentRecord*>> components_of_volume;
  std::unordered_map<std::uint64_t, std::vector<const PartitionRecord*>> partitions_of_component;
  std::unordered_map<std::uint64_t, const DiskRecord*> disks;

  explicit RecordIndex(const Database& db) {
    for (const ComponentRecord& component : db.components) {
      components_of_volume[component.volume_id].push_back(&component);
    }
    for (const PartitionRecord& partition : db.partitions) {
      partitions_of_component[partition.component_id].push_back(&partition);
    }
    for (const DiskRecord& disk : db.disks) disks.emplace(disk.id, &disk);  // ids are unique (check_references)
  }
  template <class Record>
  static const std::vector<const Record*>& children(
      const std::unordered_map<std::uint64_t, std::vector<const Record*>>& index, std::uint64_t parent) {
    static const std::vector<const Record*> none;
    const auto found = index.find(parent);
    return found == index.end() ? none : found->second;
  }
  const DiskRecord* disk(std::uint64_t id) const {
    const auto found = disks.find(id);
    return found == disks.end() ? nullptr : found->second;
  }
};

struct Context {
  const Database& db;
  RecordIndex index;
  std::map<std::uint64_t, const MemberDisk*> member_of;  // disk record id -> member given
};

// The extents of one component grouped by column, each column in volume-offset order and
// checked to leave no gap.
std::map<std::uint64_t, std::vector<const PartitionRecord*>> columns_of(const Context& context, const ComponentRecord& component) {
  std::map<std::uint64_t, std::vector<const PartitionRecord*>> columns;
  for (const PartitionRecord* partition : RecordIndex::children(context.index.partitions_of_component, component.id)) {
    columns[partition->column].push_back(partition);
  }
  for (auto& [column, parts] : columns) {
    std::sort(parts.begin(), parts.end(), [](auto* a, auto* b) { return a->volume_offset < b->volume_offset; });
    std::uint64_t expected = 0;
    for (const PartitionRecord* part : parts) {
      if (part->volume_offset != expected) {
        throw FormatError(fmt::format("ldm: partition {} (record {}) starts at volume sector {}, where sector {} "
                                      "was expected", part->name, part->id, part->volume_offset, expected), Location{fmt::format("LDM partition {} (record {})", part->name, part->id), std::nullopt});
      }
      if (part->size > UINT64_MAX - expected) {
        throw FormatError(fmt::format("ldm: partition {} (record {}): {} sectors overflow its column", part->name,
                                      part->id, part->size), Location{fmt::format("LDM partition {} (record {})", part->name, part->id), std::nullopt});
      }
      expected += part->size;
    }
  }
  return columns;
}

// A column: its extents on their disks, joined; null when a disk is missing.
SourcePtr column_source(const Context& context, const std::vector<const PartitionRecord*>& parts, GroupVolume& volume,
                        unsigned plex, unsigned column) {
  const std::uint64_t sector = context.db.sector_size;
  std::vector<SourcePtr> pieces;
  bool complete = true;
  for (const PartitionRecord* part : parts) {
    const DiskRecord* disk = context.index.disk(part->disk_id);
    if (disk == nullptr) {
      throw FormatError(fmt::format("ldm: partition {} (record {}) names disk record {}, which does not exist",
                                    part->name, part->id, part->disk_id), Location{fmt::format("LDM partition {} (record {})", part->name, part->id), std::nullopt});
    }
    const auto found = context.member_of.find(disk->id);
    // A member's own data start places its extents; for a disk not given, the newest
    // database's is the best guess.
    const std::uint64_t data_start = found != context.member_of.end() ? found->second->database.data_start
                                                                      : context.db.data_start;
    const std::string what = fmt::format("partition {} (record {})", part->name, part->id);
    if (part->start > UINT64_MAX - data_start) throw FormatError(fmt::format("ldm: {}: start {} overflows", what, part->start), Location{"LDM " + what, std::nullopt});
    Extent extent{part->name, disk->name, bytes_of(data_start + part->start, sector, what),
                  bytes_of(part->start, sector, what), bytes_of(part->volume_offset, sector, what),
                  bytes_of(part->size, sector, what), plex, column, found != context.member_of.end()};
    volume.extents.push_back(extent);
    if (!extent.present) {
      if (std::find(volume.missing_disks.begin(), volume.missing_disks.end(), disk->name) == volume.missing_disks.end()) {
        volume.missing_disks.push_back(disk->name);
      }
      complete = false;
      continue;
    }
    const SourcePtr& source = found->second->source;
    if (extent.disk_offset > source->size() || extent.size > source->size() - extent.disk_offset) {
      throw FormatError(fmt::format("ldm: {} at sectors {}+{} runs past the end of {} ({} bytes)", what,
                                    data_start + part->start, part->size, disk->name, source->size()), Location{"LDM " + what, std::nullopt});
    }
    pieces.push_back(std::make_shared<SliceSource>(source, extent.disk_offset, extent.size,
                                                   fmt::format("ldm {} on {}", part->name, source->name())));
  }
  if (!complete || pieces.empty()) return nullptr;
  return concatenate(std::move(pieces), fmt::format("ldm {} column {}", volume.name, column));
}

// One component as a byte source (a plex): concatenated or striped; null when a disk is
// missing. RAID-5 components are built by the caller, which may rebuild a column.
SourcePtr plex_source(const Context& context, const ComponentRecord& component, GroupVolume& volume, unsigned plex,
                      std::vector<SourcePtr>* raid_columns) {
  const auto columns = columns_of(context, component);
  if (columns.empty()) {
    throw FormatError(fmt::format("ldm: component {} (record {}) has no partitions", component.name, component.id), Location{fmt::format("LDM component {} (record {})", component.name, component.id), std::nullopt});
  }
  const std::string name = fmt::format("ldm volume {}", volume.name);
  const std::uint64_t sector = context.db.sector_size;
  if (component.layout == ComponentLayout::concatenated) {
    if (columns.size() != 1) {
      throw FormatError(fmt::format("ldm: concatenated component {} (record {}) has {} columns", component.name,
                                    component.id, columns.size()), Location{fmt::format("LDM component {} (record {})", component.name, component.id), std::nullopt});
    }
    return column_source(context, columns.begin()->second, volume, plex, 0);
  }
  if (component.stripe_size == 0) {
    throw FormatError(fmt::format("ldm: component {} (record {}): stripe size of zero", component.name, component.id), Location{fmt::format("LDM component {} (record {})", component.name, component.id), std::nullopt});
  }
  if (component.columns != columns.size() || columns.rbegin()->first + 1 != columns.size()) {
    throw FormatError(fmt::format("ldm: component {} (record {}) says {} columns; its partitions fill {}",
                                  component.name, component.id, component.columns, columns.size()), Location{fmt::format("LDM component {} (record {})", component.name, component.id), std::nullopt});
  }
  volume.stripe_size = bytes_of(component.stripe_size, sector, fmt::format("component {} (record {}) stripe size",
                                                                          component.name, component.id));
  volume.columns = static_cast<unsigned>(columns.size());
  std::vector<SourcePtr> sources;
  for (const auto& [column, parts] : columns) {
    sources.push_back(column_source(context, parts, volume, plex, static_cast<unsigned>(column)));
  }
  if (component.layout == ComponentLayout::raid5) {
    if (raid_columns == nullptr) {
      throw FormatError(fmt::format("ldm: component {} (record {}) is RAID-5, its volume {} is not", component.name,
                                    component.id, volume.name), Location{fmt::format("LDM component {} (record {})", component.name, component.id), std::nullopt});
    }
    *raid_columns = std::move(sources);
    return nullptr;
  }
  if (std::count(sources.begin(), sources.end(), nullptr) != 0) return nullptr;
  return stripe(std::move(sources), volume.stripe_size, volume.size, name);
}

GroupVolume build_volume(const Context& context, const VolumeRecord& record) {
  GroupVolume volume;
  volume.name = record.name;
  volume.guid = record.guid;
  volume.drive_hint = record.drive_hint;
  volume.partition_type = record.partition_type;
  volume.size = bytes_of(record.size, context.db.sector_size, fmt::format("volume {} (record {})", record.name, record.id));
  const std::vector<const ComponentRecord*>& components =
      RecordIndex::children(context.index.components_of_volume, record.id);
  if (components.empty()) {
    throw FormatError(fmt::format("ldm: volume {} (record {}) has no components", record.name, record.id), Location{fmt::format("LDM volume {} (record {})", record.name, record.id), std::nullopt});
  }
  const std::string name = fmt::format("ldm volume {}", record.name);
  if (record.type == "raid5") {
    if (components.size() != 1 || components[0]->layout != ComponentLayout::raid5) {
      throw FormatError(fmt::format("ldm: RAID-5 volume {} (record {}) needs one RAID-5 component", record.name, record.id), Location{fmt::format("LDM volume {} (record {})", record.name, record.id), std::nullopt});
    }
    volume.layout = VolumeLayout::raid5;
    std::vector<SourcePtr> columns;
    plex_source(context, *components[0], volume, 0, &columns);
    const auto missing = std::count(columns.begin(), columns.end(), nullptr);
    volume.state = missing == 0 ? "complete" : missing == 1 ? "degraded" : "missing";
    if (missing <= 1) volume.bytes = raid5(std::move(columns), volume.stripe_size, volume.size, name);
    return volume;
  }
  std::vector<SourcePtr> plexes;
  for (unsigned plex = 0; plex < components.size(); ++plex) {
    plexes.push_back(plex_source(context, *components[plex], volume, plex, nullptr));
  }
  const auto present = static_cast<std::size_t>(plexes.size() - std::count(plexes.begin(), plexes.end(), nullptr));
  if (components.size() > 1) {
    volume.layout = VolumeLayout::mirror;
    volume.state = present == plexes.size() ? "complete" : present > 0 ? "degraded" : "missing";
    if (present > 0) volume.bytes = mirror(std::move(plexes), volume.size, name);
    return volume;
  }
  const ComponentRecord& only = *components[0];
  volume.layout = only.layout == ComponentLayout::striped ? VolumeLayout::striped
                  : volume.extents.size() > 1              ? VolumeLayout::spanned
                                                           : VolumeLayout::simple;
  volume.state = present == 1 ? "complete" : "missing";
  if (present == 1) {
    if (plexes[0]->size() < volume.size) {
      throw FormatError(fmt::format("ldm: volume {} (record {}) of {} bytes has extents of only {} bytes", record.name,
                                    record.id, volume.size, plexes[0]->size()), Location{fmt::format("LDM volume {} (record {})", record.name, record.id), std::nullopt});
    }
    volume.bytes = plexes[0]->size() == volume.size ? plexes[0] : mirror({plexes[0]}, volume.size, name);
  }
  return volume;
}

}  // namespace

std::string_view to_string(VolumeLayout layout) {
  return name_of(volume_layout_names, layout, "simple");
}

// Record ids are unique across a database: one used twice would join unrelated records.
// Components and partitions whose parent does not exist belong to no volume: a warning.
void check_references(const Database& db, Warnings& warnings) {
  std::map<std::uint64_t, std::string> ids;
  const auto claim = [&](std::uint64_t id, const std::string& what) {
    const auto [it, fresh] = ids.emplace(id, what);
    if (!fresh) throw FormatError(fmt::format("ldm: record id {} is used by {} and by {}", id, it->second, what), Location{fmt::format("LDM record {}", id), std::nullopt});
  };
  for (const DiskRecord& r : db.disks) claim(r.id, "disk " + r.name);
  for (const VolumeRecord& r : db.volumes) claim(r.id, "volume " + r.name);
  for (const ComponentRecord& r : db.components) claim(r.id, "component " + r.name);
  for (const PartitionRecord& r : db.partitions) claim(r.id, "partition " + r.name);
  const auto is = [&](std::uint64_t id, const char* kind) {
    const auto it = ids.find(id);
    return it != ids.end() && it->second.rfind(kind, 0) == 0;
  };
  for (const ComponentRecord& r : db.components) {
    if (!is(r.volume_id, "volume ")) {
      warnings.emplace_back(Location{fmt::format("LDM component {} (record {})", r.name, r.id), std::nullopt},
                            fmt::format("ldm: component {} (record {}) belongs to volume record {}, which does not "
                                     "exist; ignored", r.name, r.id, r.volume_id));
    }
  }
  for (const PartitionRecord& r : db.partitions) {
    if (!is(r.component_id, "component ")) {
      warnings.emplace_back(Location{fmt::format("LDM partition {} (record {})", r.name, r.id), std::nullopt},
                            fmt::format("ldm: partition {} (record {}) belongs to component record {}, which does not "
                                     "exist; ignored", r.name, r.id, r.component_id));
    }
  }
}

DiskGroup assemble_disk_group(const std::vector<MemberDisk>& members) {
  if (members.empty()) throw UsageError("ldm: no disks given");
  // The newest database among the members describes the group.
  const MemberDisk* newest = &members.front();
  for (const MemberDisk& member : members) {
    if (member.database.disk_group_guid != members.front().database.disk_group_guid) {
      throw UsageError(fmt::format("ldm: {} belongs to disk group {} ({}), {} to {} ({})", member.source->name(),
                                   member.database.disk_group_name, member.database.disk_group_guid,
                                   members.front().source->name(), members.front().database.disk_group_name,
                                   members.front().database.disk_group_guid));
    }
    if (member.database.committed_sequence > newest->database.committed_sequence) newest = &member;
  }
  const Database& db = newest->database;
  DiskGroup group;
  group.name = db.disk_group_name;
  group.guid = db.disk_group_guid;
  group.warnings = db.warnings;
  check_references(db, group.warnings);
  Context context{db, RecordIndex(db), {}};
  std::set<std::string> seen;
  for (const MemberDisk& member : members) {
    if (!seen.insert(member.database.disk_guid).second) {
      throw UsageError(fmt::format("ldm: disk {} is given twice ({})", member.database.disk_guid, member.source->name()));
    }
    if (member.database.committed_sequence != db.committed_sequence) {
      group.warnings.emplace_back(Location{"LDM VMDB", std::nullopt}, fmt::format("ldm: {} holds an older database (sequence {}, the newest is {})",
                                           member.source->name(), member.database.committed_sequence,
                                           db.committed_sequence));
    }
    const auto record = std::find_if(db.disks.begin(), db.disks.end(),
                                     [&](const DiskRecord& d) { return d.guid == member.database.disk_guid; });
    if (record == db.disks.end()) {
      group.warnings.emplace_back(Location{"LDM PRIVHEAD", std::nullopt}, fmt::format("ldm: {} (disk {}) is not a disk of group {}", member.source->name(),
                                           member.database.disk_guid, db.disk_group_name));
      continue;
    }
    context.member_of[record->id] = &member;
  }
  for (const DiskRecord& disk : db.disks) {
    const auto found = context.member_of.find(disk.id);
    GroupDisk entry{disk.name, disk.guid, nullptr, 0, 0};
    if (found != context.member_of.end()) {
      const Database& own = found->second->database;
      entry = {disk.name, disk.guid, found->second->source, own.data_start * own.sector_size, own.data_size * own.sector_size};
    }
    group.disks.push_back(std::move(entry));
  }
  for (const VolumeRecord& record : db.volumes) {
    try {
      group.volumes.push_back(build_volume(context, record));
    } catch (const FormatError& error) {
      // One volume's bad records do not hide the others.
      GroupVolume damaged;
      damaged.name = record.name;
      damaged.guid = record.guid;
      damaged.drive_hint = record.drive_hint;
      damaged.state = "damaged";
      group.volumes.push_back(std::move(damaged));
      group.warnings.emplace_back(error.where(), fmt::format("{} (volume {} is not readable)", error.what(), record.name));
      continue;
    }
    const GroupVolume& volume = group.volumes.back();
    if (volume.state == "degraded") {
      group.warnings.emplace_back(Location{"LDM volume " + volume.name, std::nullopt}, fmt::format("ldm: volume {} is degraded: disk(s) {} missing; read from the rest",
                                           volume.name, fmt::join(volume.missing_disks, ", ")));
    }
  }
  return group;
}

}  // namespace diskimg::ldm
