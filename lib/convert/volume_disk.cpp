#include <diskimg/convert/volume_disk.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/layout/rewrite.hpp>
#include <diskimg/ntfs/boot_sector.hpp>
#include <diskimg/source/patched_source.hpp>

#include <algorithm>
#include <random>

#include <fmt/format.h>

namespace diskimg {
namespace {

class WrappedVolume final : public ByteSource {
 public:
  WrappedVolume(SourcePtr volume, std::vector<std::byte> mbr)
      : volume_(std::move(volume)), mbr_(std::move(mbr)) {}

  std::uint64_t size() const override { return wrapped_volume_start + volume_->size(); }
  std::uint32_t sector_size() const override { return 512; }
  std::string name() const override { return volume_->name() + " (in a new MBR)"; }
  std::uint64_t next_data(std::uint64_t offset) const override {
    if (offset < mbr_.size()) return offset;
    if (offset < wrapped_volume_start) offset = wrapped_volume_start;
    if (offset >= size()) return size();
    return wrapped_volume_start + volume_->next_data(offset - wrapped_volume_start);
  }
  std::uint64_t next_hole(std::uint64_t offset) const override {
    if (offset < mbr_.size()) return mbr_.size();
    if (offset < wrapped_volume_start) return offset;
    if (offset >= size()) return size();
    return wrapped_volume_start + volume_->next_hole(offset - wrapped_volume_start);
  }
  // The new MBR is in memory: only the volume's part of the range is passed on.
  void will_need(std::uint64_t offset, std::uint64_t length) const override {
    const std::uint64_t end = offset + std::min(length, size() - std::min(offset, size()));
    if (end <= wrapped_volume_start) return;
    offset = std::max(offset, wrapped_volume_start);
    volume_->will_need(offset - wrapped_volume_start, end - offset);
  }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    while (!buffer.empty()) {
      std::size_t piece = 0;
      if (offset < mbr_.size()) {
        piece = std::min<std::size_t>(buffer.size(), mbr_.size() - offset);
        std::copy_n(mbr_.begin() + static_cast<std::ptrdiff_t>(offset), piece, buffer.begin());
      } else if (offset < wrapped_volume_start) {
        piece = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), wrapped_volume_start - offset));
        std::fill_n(buffer.begin(), piece, std::byte{0});
      } else {
        piece = buffer.size();
        volume_->read(offset - wrapped_volume_start, buffer);
      }
      buffer = buffer.subspan(piece);
      offset += piece;
    }
  }

 private:
  SourcePtr volume_;
  std::vector<std::byte> mbr_;
};

std::uint8_t partition_type(const Disk& disk, const Volume& volume) {
  if (volume.filesystem == FilesystemKind::ntfs || volume.filesystem == FilesystemKind::exfat) return 0x07;
  if (volume.filesystem == FilesystemKind::fat) return 0x0C;
  if (volume.partition) {
    const Partition* partition = disk.layout().find(*volume.partition);
    if (partition != nullptr && partition->mbr_type != 0) return partition->mbr_type;
  }
  return 0x07;
}

// The boot sector at `offset` of the volume with its hidden sectors set to the new start.
Patch patched_boot_sector(const ByteSource& volume, std::uint64_t offset) {
  return hidden_sectors_patch(volume, offset, static_cast<std::uint32_t>(wrapped_volume_start / 512));
}

}  // namespace

SourcePtr wrap_volume_in_mbr(const Disk& disk, const Volume& volume, std::optional<std::uint32_t> disk_signature) {
  if (volume.size % 512 != 0 || volume.size / 512 > 0xFFFFFFFFULL - wrapped_volume_start / 512) {
    throw UsageError(fmt::format("volume {} of {} bytes does not fit an MBR partition", volume.index, volume.size));
  }
  SinglePartition partition;
  partition.type = partition_type(disk, volume);
  partition.first_lba = wrapped_volume_start / 512;
  partition.sector_count = volume.size / 512;
  const std::uint32_t signature =
      disk_signature ? *disk_signature : static_cast<std::uint32_t>(std::random_device{}());
  std::vector<std::byte> mbr = single_partition_mbr(signature, partition);

  std::vector<Patch> patches;
  if (volume.filesystem == FilesystemKind::ntfs || volume.filesystem == FilesystemKind::fat) {
    patches.push_back(patched_boot_sector(*volume.bytes, 0));
  }
  if (volume.filesystem == FilesystemKind::ntfs) {
    // The backup boot sector in the volume's last sector carries the same field.
    const ntfs::BootSector boot = ntfs::parse_boot_sector(volume.bytes->read(0, 512), volume.size);
    const std::uint64_t backup = boot.total_sectors * boot.bytes_per_sector;
    if (backup + 512 <= volume.size) patches.push_back(patched_boot_sector(*volume.bytes, backup));
  }
  auto patched = std::make_shared<PatchedSource>(volume.bytes, std::move(patches));
  return std::make_shared<WrappedVolume>(std::move(patched), std::move(mbr));
}

}  // namespace diskimg
