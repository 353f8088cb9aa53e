// A disk as diskimg sees it: the container it came in, its partition layout and the
// volumes on it. This is what `diskimg inspect` prints and where every command starts.
#pragma once

#include <diskimg/layout/filesystem.hpp>
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

// Something that holds a file system: a partition, or a whole unpartitioned image.
struct Volume {
  unsigned index = 0;                     // from 0, in inspect order
  std::string origin;                     // "partition 2", "whole image"
  std::optional<unsigned> partition;      // the partition's number, if it is one
  std::uint64_t offset = 0;               // bytes from the start of the disk
  std::uint64_t size = 0;
  FilesystemKind filesystem = FilesystemKind::unknown;
  SourcePtr bytes;                        // the volume's bytes, offset 0 = its first byte
};

class Disk {
 public:
  // Opens an image file or block device.
  static Disk open(const std::filesystem::path& path);
  // Reads the layout and volumes of any byte source.
  static Disk from_source(SourcePtr source, Container container);

  const SourcePtr& source() const { return source_; }
  const Container& container() const { return container_; }
  const PartitionTable& layout() const { return layout_; }
  const std::vector<Volume>& volumes() const { return volumes_; }
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
  std::vector<std::string> warnings_;
};

}  // namespace diskimg
