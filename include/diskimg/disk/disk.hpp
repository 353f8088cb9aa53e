/// @file
/// A disk as diskimg sees it: the container it came in, its partition layout and the
/// volumes on it. Most work starts here: file systems, used maps and conversion take a
/// Disk or one of its volumes.
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
enum class ContainerFormat {
  raw,               ///< a raw image file or a block device
  vhd_fixed,         ///< a fixed VHD
  vhd_dynamic,       ///< a dynamic VHD
  vhd_differencing,  ///< a differencing VHD, read through its parents
  vhdx_fixed,        ///< a fixed VHDX
  vhdx_dynamic,      ///< a dynamic VHDX
  vhdx_differencing  ///< a differencing VHDX, read through its parents
};
/// "raw", "vhd-fixed", "vhd-dynamic", "vhd-differencing", "vhdx-fixed", "vhdx-dynamic",
/// "vhdx-differencing".
std::string_view to_string(ContainerFormat format);

/// The container a disk's bytes come in.
struct Container {
  ContainerFormat format = ContainerFormat::raw;  ///< raw or a kind of VHD or VHDX
  std::uint64_t virtual_size = 0;  ///< bytes the guest sees
  std::vector<std::string> chain;  ///< the files read, child first
  std::uint32_t block_size = 0;    ///< dynamic and differencing VHD and VHDX: bytes per block
  bool log_replayed = false;       ///< VHDX: a log left by an unclean close was replayed in memory
};

/// What holds a volume.
enum class VolumeOrigin {
  whole_image,  ///< an image with no partition table: the volume is all of it
  partition,    ///< a partition of the disk's table
  ldm,          ///< a volume of the disk's LDM disk group, assembled from its disks
};

/// Something that holds a file system: a partition, an LDM volume, or a whole unpartitioned
/// image. A value; copies share `bytes`.
struct Volume {
  unsigned index = 0;                     ///< its place in Disk::volumes(), from 0
  VolumeOrigin origin = VolumeOrigin::whole_image;  ///< what holds it
  std::optional<unsigned> partition;      ///< origin partition: the partition's number
  std::string ldm_name;                   ///< origin ldm: the LDM volume's name ("Volume1")
  /// Bytes from the start of the disk (0 for LDM volumes: their bytes lie on the group's
  /// disks).
  std::uint64_t offset = 0;
  std::uint64_t size = 0;                 ///< bytes
  FilesystemKind filesystem = FilesystemKind::unknown;  ///< judged from its first sector
  SourcePtr bytes;                        ///< the volume's bytes, offset 0 = its first byte

  /// "partition 2", "ldm Volume1", "whole image".
  std::string origin_name() const;
};

/// A disk: the container it came in, its partition layout, its LDM disk group when it is a
/// dynamic disk, and its volumes. Owns those as values; shares its byte source and the
/// volumes' sources (slices of it, or LDM volumes over the group's disks), which copies of
/// the Disk share too and which stay alive as long as any holder does. Immutable once
/// opened: several threads may use one Disk at once.
class Disk {
 public:
  /// Opens an image file, block device or VHD (through its chain). Throws IoError when the
  /// file cannot be opened or read, FormatError when it is smaller than one sector or a VHD
  /// or a partition table is there but cannot be used, NotFoundError when a VHD's parent is not found. Damage that can be
  /// worked around (including an unreadable LDM database: its volumes are then not listed)
  /// is a warning.
  static Disk open(const std::filesystem::path& path);
  /// Opens the disks of one LDM disk group: the first is the disk whose layout is shown, the
  /// others lend their extents to its group's volumes. Throws UsageError when no path is
  /// given, or when one of them has no LDM database or belongs to another group; what the
  /// other open throws; and, when the group cannot be assembled, the error that says why.
  static Disk open(const std::vector<std::filesystem::path>& paths);
  /// Reads the layout and volumes of any byte source (with the other disks of its LDM group),
  /// sharing them. `container` is recorded as given. Throws as open does.
  static Disk from_source(SourcePtr source, Container container, std::vector<SourcePtr> group_members = {});

  /// The disk's bytes (for a VHD, the disk it holds).
  const SourcePtr& source() const { return source_; }
  /// What the bytes came in.
  const Container& container() const { return container_; }
  /// The partition table.
  const PartitionTable& layout() const { return layout_; }
  /// The whole image when it has no partition table, then every partition that holds a
  /// volume (not extended or LDM partitions, nor those past the disk's end), then the LDM
  /// volumes that can be read; each one's `index` is its place here.
  const std::vector<Volume>& volumes() const { return volumes_; }
  /// The LDM disk group when this is a dynamic disk.
  const std::optional<ldm::DiskGroup>& ldm() const { return ldm_; }
  /// This disk's LDM database (where it lies, for copying it whole).
  const std::optional<ldm::Database>& ldm_database() const { return ldm_database_; }
  /// The disk's size in bytes.
  std::uint64_t size() const { return source_->size(); }
  /// The logical sector size the layout was read with.
  std::uint32_t sector_size() const { return layout_.sector_size; }
  /// The container's and layout's warnings and any found while listing volumes.
  const Warnings& warnings() const { return warnings_; }

  /// The volume with this index; throws UsageError naming the valid range otherwise.
  const Volume& volume(unsigned index) const;
  /// The volume a file-system operation reads: `index` when given (it must hold `kind`),
  /// otherwise the only volume holding `kind`. Throws NotFoundError when there is none,
  /// UsageError when the one chosen holds another file system, and VolumeChoiceError (with their indexes) when
  /// there are several and no index says which.
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
