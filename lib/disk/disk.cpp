#include <diskimg/disk.hpp>
#include <diskimg/error.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/source/slice_source.hpp>
#include <diskimg/vhd/image.hpp>

#include <fmt/format.h>

namespace diskimg {
namespace {

Volume partition_volume(const SourcePtr& disk, const Partition& partition) {
  Volume volume;
  volume.origin = fmt::format("partition {}", partition.number);
  volume.partition = partition.number;
  volume.offset = partition.start;
  volume.size = partition.size;
  volume.bytes = std::make_shared<SliceSource>(
      disk, partition.start, partition.size,
      fmt::format("{} partition {}", disk->name(), partition.number));
  return volume;
}

}  // namespace

Disk Disk::open(const std::filesystem::path& path) {
  auto file = std::make_shared<FileSource>(path);
  Container container;
  if (vhd::looks_like_vhd(*file)) {
    auto image = vhd::VhdImage::open(path);
    container.format = std::string(vhd::to_string(image->type()));
    container.virtual_size = image->size();
    for (const auto& member : image->chain()) container.chain.push_back(member.string());
    const std::vector<std::string> vhd_warnings = image->warnings();
    Disk disk = from_source(std::move(image), std::move(container));
    disk.warnings_.insert(disk.warnings_.begin(), vhd_warnings.begin(), vhd_warnings.end());
    return disk;
  }
  container.virtual_size = file->size();
  container.chain.push_back(path.string());
  return from_source(std::move(file), std::move(container));
}

Disk Disk::from_source(SourcePtr source, Container container) {
  Disk disk;
  disk.source_ = std::move(source);
  disk.container_ = std::move(container);
  disk.layout_ = read_partition_table(*disk.source_);
  disk.warnings_ = disk.layout_.warnings;

  if (disk.layout_.scheme == Scheme::none) {
    Volume whole;
    whole.origin = "whole image";
    whole.size = disk.source_->size();
    whole.bytes = disk.source_;
    disk.volumes_.push_back(std::move(whole));
  }
  for (const Partition& partition : disk.layout_.partitions) {
    if (partition.extended) continue;
    if (partition.end() > disk.source_->size()) {
      disk.warnings_.push_back(fmt::format(
          "partition {} is not listed as a volume: it extends past the end of the disk",
          partition.number));
      continue;
    }
    disk.volumes_.push_back(partition_volume(disk.source_, partition));
  }
  for (unsigned index = 0; index < disk.volumes_.size(); ++index) {
    Volume& volume = disk.volumes_[index];
    volume.index = index;
    volume.filesystem = sniff_filesystem(*volume.bytes);
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
      throw UsageError(fmt::format("volume {} ({}) holds {}, not {}", *index, chosen.origin,
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
    throw UsageError(fmt::format("{} has no {} volume", source_->name(), to_string(kind)));
  }
  std::string choices;
  for (const Volume* candidate : candidates) {
    choices += fmt::format("{}{} ({})", choices.empty() ? "" : ", ", candidate->index,
                           candidate->origin);
  }
  throw UsageError(fmt::format("{} has several {} volumes: choose one with --volume: {}",
                               source_->name(), to_string(kind), choices));
}

}  // namespace diskimg
