#include "core/enum_names.hpp"

#include <diskimg/disk/disk.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/source/slice_source.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhdx/image.hpp>

#include <fmt/format.h>

namespace diskimg {
namespace {

constexpr std::array<EnumName<ContainerFormat>, 7> container_format_names{{
    {ContainerFormat::raw, "raw"},
    {ContainerFormat::vhd_fixed, "vhd-fixed"},
    {ContainerFormat::vhd_dynamic, "vhd-dynamic"},
    {ContainerFormat::vhd_differencing, "vhd-differencing"},
    {ContainerFormat::vhdx_fixed, "vhdx-fixed"},
    {ContainerFormat::vhdx_dynamic, "vhdx-dynamic"},
    {ContainerFormat::vhdx_differencing, "vhdx-differencing"}}};

ContainerFormat container_format(vhdx::VhdxType type) {
  switch (type) {
    case vhdx::VhdxType::fixed: return ContainerFormat::vhdx_fixed;
    case vhdx::VhdxType::dynamic: return ContainerFormat::vhdx_dynamic;
    case vhdx::VhdxType::differencing: return ContainerFormat::vhdx_differencing;
  }
  return ContainerFormat::raw;
}

ContainerFormat container_format(vhd::VhdType type) {
  switch (type) {
    case vhd::VhdType::fixed: return ContainerFormat::vhd_fixed;
    case vhd::VhdType::dynamic: return ContainerFormat::vhd_dynamic;
    case vhd::VhdType::differencing: return ContainerFormat::vhd_differencing;
  }
  return ContainerFormat::raw;
}

Volume partition_volume(const SourcePtr& disk, const Partition& partition) {
  Volume volume;
  volume.origin = VolumeOrigin::partition;
  volume.partition = partition.number;
  volume.offset = partition.start;
  volume.size = partition.size;
  volume.bytes = std::make_shared<SliceSource>(
      disk, partition.start, partition.size,
      fmt::format("{} partition {}", disk->name(), partition.number));
  return volume;
}

// A file or block device, or the VHD (and its chain) in it; `container` says which.
SourcePtr open_source(const std::filesystem::path& path, Container& container, Warnings& warnings) {
  auto file = std::make_shared<FileSource>(path);
  if (vhdx::looks_like_vhdx(*file)) {
    auto image = vhdx::VhdxImage::open(file, path);
    container.format = container_format(image->type());
    container.virtual_size = image->size();
    container.block_size = image->metadata().block_size;
    container.log_replayed = image->replay().has_value();
    for (const auto& member : image->chain()) container.chain.push_back(member.string());
    warnings = image->warnings();
    return image;
  }
  if (vhd::looks_like_vhd(*file)) {
    auto image = vhd::VhdImage::open(path);
    container.format = container_format(image->type());
    container.virtual_size = image->size();
    if (image->header()) container.block_size = image->header()->block_size;
    for (const auto& member : image->chain()) container.chain.push_back(member.string());
    warnings = image->warnings();
    return image;
  }
  container.virtual_size = file->size();
  container.chain.push_back(path.string());
  return file;
}

}  // namespace

std::string_view to_string(ContainerFormat format) { return name_of(container_format_names, format); }

std::string Volume::origin_name() const {
  switch (origin) {
    case VolumeOrigin::partition: return fmt::format("partition {}", partition.value_or(0));
    case VolumeOrigin::ldm: return "ldm " + ldm_name;
    case VolumeOrigin::whole_image: break;
  }
  return "whole image";
}

Disk Disk::open(const std::filesystem::path& path) {
  return open(std::vector<std::filesystem::path>{path});
}

Disk Disk::open(const std::vector<std::filesystem::path>& paths) {
  if (paths.empty()) throw UsageError("no source given");
  Container container;
  Warnings warnings;
  SourcePtr first = open_source(paths.front(), container, warnings);
  std::vector<SourcePtr> members;
  for (std::size_t i = 1; i < paths.size(); ++i) {
    Container ignored;
    Warnings member_warnings;
    members.push_back(open_source(paths[i], ignored, member_warnings));
    warnings.insert(warnings.end(), member_warnings.begin(), member_warnings.end());
  }
  Disk disk = from_source(std::move(first), std::move(container), std::move(members));
  disk.warnings_.insert(disk.warnings_.begin(), warnings.begin(), warnings.end());
  return disk;
}

namespace {

std::vector<ldm::MemberDisk> group_members(const SourcePtr& first, const PartitionTable& layout,
                                           const std::vector<SourcePtr>& others) {
  std::vector<ldm::MemberDisk> members{{first, ldm::read_database(*first, layout)}};
  for (const SourcePtr& other : others) {
    const PartitionTable other_layout = read_partition_table(*other);
    if (!ldm::has_database(other_layout)) {
      throw UsageError(fmt::format("{} has no LDM database: several sources must be the disks of one LDM disk group",
                                   other->name()));
    }
    members.push_back({other, ldm::read_database(*other, other_layout)});
  }
  return members;
}

}  // namespace

Disk Disk::from_source(SourcePtr source, Container container, std::vector<SourcePtr> group_members_given) {
  // Less than a sector holds no partition table and no file system: say what it is not,
  // once, rather than list a whole-image "volume" of a few bytes.
  if (source->size() < source->sector_size()) {
    throw FormatError(fmt::format("{}: {}: not a disk image", source->name(),
                                  source->size() == 0 ? std::string("empty (0 bytes)")
                                                      : fmt::format("{} bytes, smaller than one {}-byte sector",
                                                                    source->size(), source->sector_size())),
                      {source->name(), std::nullopt});
  }
  Disk disk;
  disk.source_ = std::move(source);
  disk.container_ = std::move(container);
  disk.layout_ = read_partition_table(*disk.source_);
  disk.warnings_ = disk.layout_.warnings;
  const bool dynamic = ldm::has_database(disk.layout_);
  if (!dynamic && !group_members_given.empty()) {
    throw UsageError(fmt::format("{} has no LDM database: several sources must be the disks of one LDM disk group",
                                 disk.source_->name()));
  }

  if (disk.layout_.scheme == Scheme::none) {
    Volume whole;
    whole.origin = VolumeOrigin::whole_image;
    whole.size = disk.source_->size();
    whole.bytes = disk.source_;
    disk.volumes_.push_back(std::move(whole));
  }
  for (const Partition& partition : disk.layout_.partitions) {
    if (partition.extended || ldm::is_ldm_partition(disk.layout_, partition)) continue;
    if (partition.end() > disk.source_->size()) {
      disk.warnings_.emplace_back(Location{fmt::format("partition {}", partition.number), partition.start},
                                  fmt::format("partition {} is not listed as a volume: it extends "
                                              "past the end of the disk", partition.number));
      continue;
    }
    disk.volumes_.push_back(partition_volume(disk.source_, partition));
  }
  if (dynamic) {
    try {
      const std::vector<ldm::MemberDisk> members = group_members(disk.source_, disk.layout_, group_members_given);
      disk.ldm_database_ = members.front().database;
      disk.ldm_ = ldm::assemble_disk_group(members);
    } catch (const Error& error) {
      // Alone, a disk whose database is damaged or unreadable still shows its layout; asked
      // to assemble a group, the caller hears why it cannot.
      if (!group_members_given.empty()) throw;
      disk.warnings_.emplace_back(error.where(), fmt::format("{} (its LDM volumes are not listed)", error.what()));
    }
  }
  if (disk.ldm_) {
    disk.warnings_.insert(disk.warnings_.end(), disk.ldm_->warnings.begin(), disk.ldm_->warnings.end());
    for (const ldm::GroupVolume& group_volume : disk.ldm_->volumes) {
      if (!group_volume.bytes) {
        disk.warnings_.push_back(fmt::format("ldm volume {} cannot be read: disk(s) {} not given", group_volume.name,
                                             fmt::join(group_volume.missing_disks, ", ")));
        continue;
      }
      Volume volume;
      volume.origin = VolumeOrigin::ldm;
      volume.ldm_name = group_volume.name;
      volume.size = group_volume.size;
      volume.bytes = group_volume.bytes;
      disk.volumes_.push_back(std::move(volume));
    }
  }
  for (unsigned index = 0; index < disk.volumes_.size(); ++index) {
    Volume& volume = disk.volumes_[index];
    volume.index = index;
    // A volume whose first sector cannot be read holds nothing known; the disk still opens.
    try {
      volume.filesystem = sniff_filesystem(*volume.bytes);
    } catch (const IoError& error) {
      disk.warnings_.emplace_back(error.where(), fmt::format("volume {} ({}): its first sector cannot be read: {}",
                                                             index, volume.origin_name(), error.what()));
    }
  }
  return disk;
}

const Volume& Disk::volume(unsigned index) const {
  if (volumes_.empty()) {
    throw UsageError(fmt::format("volume {} does not exist: {} has no volumes", index,
                                 source_->name()));
  }
  if (index >= volumes_.size()) {
    throw UsageError(fmt::format("volume {} does not exist: {} has volumes 0..{}", index,
                                 source_->name(), volumes_.size() - 1));
  }
  return volumes_[index];
}

}  // namespace diskimg

namespace diskimg {

const Volume& Disk::select_volume(std::optional<unsigned> index, FilesystemKind kind) const {
  if (index) {
    const Volume& chosen = volume(*index);
    if (chosen.filesystem != kind) {
      throw UsageError(fmt::format("volume {} ({}) holds {}, not {}", *index, chosen.origin_name(),
                                   to_string(chosen.filesystem), to_string(kind)));
    }
    return chosen;
  }
  std::vector<const Volume*> candidates;
  for (const Volume& candidate : volumes_) {
    if (candidate.filesystem == kind) candidates.push_back(&candidate);
  }
  if (candidates.size() == 1) return *candidates.front();
  if (candidates.empty()) {
    // Not a mistake in the asking: the disk holds no such file system.
    throw NotFoundError(fmt::format("{} has no {} volume", source_->name(), to_string(kind)),
                        {source_->name(), std::nullopt});
  }
  std::string choices;
  std::vector<unsigned> indexes;
  for (const Volume* candidate : candidates) {
    choices += fmt::format("{}{} ({})", choices.empty() ? "" : ", ", candidate->index,
                           candidate->origin_name());
    indexes.push_back(candidate->index);
  }
  throw VolumeChoiceError(fmt::format("{} has several {} volumes, and none was chosen: {}",
                                      source_->name(), to_string(kind), choices),
                          std::move(indexes));
}

}  // namespace diskimg
