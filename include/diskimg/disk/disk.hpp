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

struct Container {
  std::string format = "raw";      // raw | vhd-fixed | vhd-dynamic | vhd-differencing
  std::uint64_t virtual_size = 0;  // bytes the guest sees
  std::vector<std::string> chain;  // the files read, child first
};

// Something that holds a file system: a partition, an LDM volume, or a whole unpartitioned
// image.
struct Volume {
  unsigned index = 0;                     // from 0, in inspect order
  std::string origin;                     // "partition 2", "whole image"
  std::optional<unsigned> partition;      // the partition's number, if it is one
  std::uint64_t offset = 0;               // bytes from the start of the disk
  std::uint64_t size = 0;
  FilesystemKind filesystem = FilesystemKind::unknown;
  SourcePtr bytes;                        // the volume's bytes, offset 0 = its first byte
  // An LDM volume: its bytes are assembled from the disk group's disks; `offset` is 0 and
  // means nothing on this disk.
  bool ldm = false;
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
  const std::vector<std::string>& warnings() const { return warnings_; }

  // The volume with this index; throws UsageError naming the valid range otherwise.
  const Volume& volume(unsigned index) const;
  // The volume a file-system command reads: `index` when given (it must hold `kind`),
  // otherwise the only volume holding `kind`. Throws UsageError when there is none, or
  // several and no index says which.
  const Volume& select_volume(std::optional<unsigned> index, FilesystemKind kind) const;

 private:
  SourcePtr source_;
  Container container_;
  PartitionTable layout_;
  std::vector<Volume> volumes_;
  std::optional<ldm::DiskGroup> ldm_;
  std::optional<ldm::Database> ldm_database_;
  std::vector<std::string> warnings_;
};

}  // namespace diskimg
