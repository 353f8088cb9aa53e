#include "commands.hpp"
#include "format.hpp"
#include "json_output.hpp"
#include "warnings.hpp"

#include <diskimg/disk/disk.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/file_name.hpp>
#include <diskimg/ntfs/volume.hpp>
#include <diskimg/vss/shadow_copies.hpp>

#include <iomanip>
#include <iostream>

#include <fmt/format.h>

namespace diskimg::tool {
namespace {

struct InspectOptions {
  std::vector<std::string> sources;
  bool json = false;
};

void print_partitions(const PartitionTable& layout) {
  if (layout.partitions.empty()) return;
  fmt::print("\nPartitions:\n");
  fmt::print("  {:>3}  {:>14}  {:>14}  {:>10}  {:<30}  {}\n", "#", "start", "size", "", "type",
             "name");
  for (const Partition& partition : layout.partitions) {
    // GPT type GUIDs are long: the table shows their names, the JSON the GUIDs.
    std::string type = partition.type_guid.is_zero()
                           ? fmt::format("{} {}", partition.type(), partition.type_name())
                           : partition.type_name();
    if (partition.bootable) type += " [boot]";
    if (partition.logical) type += " [logical]";
    fmt::print("  {:>3}  {:>14}  {:>14}  {:>10}  {:<30}  {}\n", partition.number,
               partition.start, partition.size, human_size(partition.size), type,
               partition.name);
  }
}

// "  label 'Windows', 4 KiB clusters" for an NTFS volume that opens.
std::string ntfs_summary(const Volume& volume) {
  if (volume.filesystem != FilesystemKind::ntfs) return {};
  try {
    const auto ntfs = ntfs::Volume::open(volume.bytes);
    return fmt::format("  label '{}', {} clusters", ntfs->label(),
                       human_size(ntfs->cluster_size()));
  } catch (const Error& error) {
    return fmt::format("  (unreadable: {})", error.what());
  }
}

void print_volumes(const Disk& disk) {
  fmt::print("\nVolumes:\n");
  fmt::print("  {:>3}  {:<16}  {:>14}  {:>14}  {:>10}  {}\n", "#", "source", "offset", "size",
             "", "filesystem");
  for (const Volume& volume : disk.volumes()) {
    fmt::print("  {:>3}  {:<16}  {:>14}  {:>14}  {:>10}  {}{}\n", volume.index, volume.origin_name(),
               volume.offset, volume.size, human_size(volume.size),
               to_string(volume.filesystem), ntfs_summary(volume));
  }
}

// Each NTFS volume's shadow copies, numbered as vshadowinfo numbers them (1 the oldest).
void print_snapshots(const Disk& disk) {
  for (const Volume& volume : disk.volumes()) {
    if (volume.filesystem != FilesystemKind::ntfs) continue;
    try {
      const vss::ShadowCopies copies(volume.bytes);
      print_warnings(copies.warnings());
      if (copies.snapshots().empty()) continue;
      fmt::print("\nShadow copies of volume {} (--snapshot N):\n", volume.index);
      fmt::print("  {:>3}  {:<30}  {:<36}  {:>10}  {}\n", "#", "created (UTC)", "id", "flags", "");
      for (const vss::Snapshot& snapshot : copies.snapshots()) {
        std::string notes = snapshot.offline ? "offline" : "";
        if (!snapshot.problem.empty()) notes += (notes.empty() ? "" : "; ") + ("unreadable: " + snapshot.problem);
        fmt::print("  {:>3}  {:<30}  {:<36}  {:#010x}  {}\n", snapshot.index, ntfs::filetime_to_iso8601(snapshot.created),
                   lower_guid(snapshot.id), snapshot.flags, notes);
      }
    } catch (const Error& error) {
      fmt::print("\nShadow copies of volume {}: unreadable ({})\n", volume.index, error.what());
    }
  }
}

void print_disk_group(const ldm::DiskGroup& group) {
  fmt::print("\nLDM disk group '{}' ({}):\n", group.name, group.guid);
  for (const ldm::GroupDisk& disk : group.disks) {
    fmt::print("  {:<8} {}  {}\n", disk.name, disk.guid, disk.source ? disk.source->name() : "(not given)");
  }
  for (const ldm::GroupVolume& volume : group.volumes) {
    std::string extents;
    for (const ldm::Extent& extent : volume.extents) extents += " " + extent.name;
    fmt::print("  {:<10} {:<8} {:>10}  {:<9}{}{}\n", volume.name, to_string(volume.layout), human_size(volume.size),
               volume.state, extents, volume.drive_hint.empty() ? "" : "  (" + volume.drive_hint + ")");
  }
}

void print_human(const Disk& disk) {
  const Container& container = disk.container();
  const PartitionTable& layout = disk.layout();
  fmt::print("{}: {}, {} ({} bytes), {}-byte sectors\n", container.chain.front(),
             to_string(container.format), human_size(container.virtual_size), container.virtual_size,
             layout.sector_size);
  if (container.block_size != 0 || container.chain.size() > 1 || container.log_replayed) {
    fmt::print("  {}{}{}\n", container.block_size != 0 ? fmt::format("{} blocks", human_size(container.block_size)) : "",
               container.chain.size() > 1 ? fmt::format("; parents: {}", fmt::join(container.chain.begin() + 1,
                                                                                    container.chain.end(), ", "))
                                          : "",
               container.log_replayed ? "; its log was replayed in memory (not closed cleanly)" : "");
  }
  fmt::print("scheme: {}", to_string(layout.scheme));
  if (layout.scheme != Scheme::none) fmt::print(", disk id {}", layout.disk_id());
  fmt::print("\n");
  print_partitions(layout);
  if (disk.ldm()) print_disk_group(*disk.ldm());
  print_volumes(disk);
  print_snapshots(disk);
}

void run_inspect(const InspectOptions& options) {
  const Disk disk = Disk::open(std::vector<std::filesystem::path>(options.sources.begin(), options.sources.end()));
  print_warnings(disk.warnings());
  if (options.json) {
    std::cout << std::setw(2) << inspect_json(disk) << '\n';  // streamed: no copy as one string
  } else {
    print_human(disk);
  }
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* command = app.add_subcommand(
      "inspect", "Show the container, partition table and volumes of a disk image");
  command->add_option("SRC", options->sources,
                      "disk image, block device or VHD; several: the disks of one LDM disk group")->required();
  command->add_flag("--json", options->json, "print JSON (see docs/interface.md)");
  command->callback([options] { run_inspect(*options); });
}

}  // namespace diskimg::tool
