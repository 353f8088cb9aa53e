// A disk as diskimg sees it: the container it came in, its partition layout and the
// volumes on it. This is what `diskimg inspect` prints and where every command starts.
#pragma once

#include <diskimg/layout/filesystem.hpp>
#include <diskimg/ldm/disk_group.hpp>
#include <diskimg/layout/partition_table.hpp>
#include <diskimg/source/byte_source.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace diskimg {

/// What a disk's bytes come in.
enum class ContainerFormat { raw, vhd_fixed, vhd_dynamic, vhd_differencing };
/// "raw", "vhd-fixed", "vhd-dynamic", "vhd-differencing".
std::string_view to_string(ContainerFormat format);

struct Container {
  ContainerFormat format = ContainerFormat::raw;
  std::uint64_t virtual_size = 0;  // bytes the guest sees
  std::vector<std::string> chain;  // the files read, child first
};

/// What holds a volume.
enum class VolumeOrigin {
  whole_image,  ///< an image with no partition table: the volume is all of it
  partition,    ///< a partition of the disk's table
  ldm,          ///< a volume of the disk's LDM disk group, assembled from its disks
};

// Something that holds a file system: a partition, an LDM volume, or a whole unpartitioned
// image.
struct Volume {
  unsigned index = 0;                     // from 0, in inspect order
  VolumeOrigin origin = VolumeOrigin::whole_image;
  std::optional<unsigned> partition;      // origin partition: the partition's number
  std::string ldm_name;                   // origin ldm: the LDM volume's name ("Volume1")
  std::uint64_t offset = 0;               // bytes from the start of the disk (0 for LDM
                                          // volumes: their bytes lie on the group's disks)
  std::uint64_t size = 0;
  FilesystemKind filesystem = FilesystemKind::unknown;
  SourcePtr bytes;                        // the volume's bytes, offset 0 = its first byte

  /// "partition 2", "ldm Volume1", "whole image".
  std::string origin_name() const;
};

class Disk {
 public:
  // Opens an image file, block device or VHD (through its chain).
  static Disk open(const std::filesystem::path& path);
  // Opens the disks of one LDM disk group: the first is the disk whose layout is shown, the
  // others lend their extents to its group's volumes. Throws UsageError when one of them
  // has no LDM database or belongs to another group.
  static Disk open(const std::vector<std::filesystem::path>& paths);
  // Reads the layout and volumes of any byte source (with the other disks of its LDM group).
  static Disk from_source(SourcePtr source, Container container, std::vector<SourcePtr> group_members = {});

  const SourcePtr& source() const { return source_; }
  const Container& container() const { return container_; }
  const PartitionTable& layout() const { return layout_; }
  const std::vector<Volume>& volumes() const { return volumes_; }
  // The LDM disk group when this is a dynamic disk.
  const std::optional<ldm::DiskGroup>& ldm() const { return ldm_; }
  // This disk's LDM database (where it lies, for copying it whole).
  const std::optional<ldm::Database>& ldm_database() const { return ldm_database_; }
  std::uint64_t size() const { return source_->size(); }
  std::uint32_t sector_size() const { return layout_.sector_size; }
  // The layout's warnings and any found while listing volumes.
  const Warnings& warnings() const { return warnings_; }

  // The volume with this index; throws UsageError naming the valid range otherwise.
  const Volume& volume(unsigned index) const;
  // The volume a file-system command reads: `index` when given (it must hold `kind`),
  // otherwise the only volume holding `kind`. Throws UsageError when there is none, and
  // VolumeChoiceError (with their indexes) when there are several and no index says which.
  const Volume& select_volume(std::optional<unsigned> index, FilesystemKind kind) const;

 private:
  SourcePtr source_;
  Container container_;
  PartitionTable layout_;
  std::vector<Volume> volumes_;
  std::optional<ldm::DiskGroup> ldm_;
  std::optional<ldm::Database> ldm_database_;
  Warnings warnings_;
};

}  // namespace diskimg
