/// @file
/// Used-cluster maps: which clusters of an NTFS volume hold something, from its $Bitmap, and
/// a check of that bitmap against the runlists of every file.
#pragma once

#include <diskimg/ntfs/volume.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace diskimg {

/// Clusters `first` to `first + count - 1`.
struct ClusterExtent {
  std::uint64_t first = 0;  ///< the first cluster
  std::uint64_t count = 0;  ///< clusters
};

/// Which clusters of an NTFS volume are in use, from its $Bitmap: one bit per cluster, held
/// in memory. Owns a copy of the bitmap and keeps no reference to the volume. Immutable once
/// read: several threads may use one map at once.
class UsedMap {
 public:
  /// Reads $Bitmap (record 6). Bits past the last cluster are ignored; cluster 0 (the boot
  /// sector) always counts as used. Throws FormatError when $Bitmap is shorter than the
  /// volume needs or cannot be parsed, NotFoundError when record 6 has no $DATA, IoError
  /// when it cannot be read.
  static UsedMap read(const ntfs::Volume& volume);

  /// Bytes per cluster.
  std::uint32_t cluster_size() const { return cluster_size_; }
  /// Clusters the volume has.
  std::uint64_t total_clusters() const { return total_clusters_; }
  /// Clusters marked used.
  std::uint64_t used_clusters() const { return used_clusters_; }
  /// Whether `cluster` is marked used; false past the last cluster.
  bool used(std::uint64_t cluster) const;
  /// Calls `visit` with the used clusters as sorted, maximal extents. Throws only what
  /// `visit` throws, which ends the walk.
  void for_each_extent(const std::function<void(const ClusterExtent&)>& visit) const;
  /// The used clusters as sorted, maximal extents.
  std::vector<ClusterExtent> extents() const;
  /// The backup boot sector: the volume's last sector, past its last cluster; always copied.
  std::uint64_t backup_boot_sector_offset() const { return backup_boot_sector_offset_; }
  /// Bytes per sector.
  std::uint32_t sector_size() const { return sector_size_; }
  /// The bitmap itself: one bit per cluster, least significant bit first, as on disk (bits
  /// past the last cluster are 0).
  std::span<const std::uint8_t> bits() const { return bits_; }

 private:
  std::vector<std::uint8_t> bits_;  // one bit per cluster, LSB first, as on disk
  std::uint32_t cluster_size_ = 0;
  std::uint32_t sector_size_ = 0;
  std::uint64_t total_clusters_ = 0;
  std::uint64_t used_clusters_ = 0;
  std::uint64_t backup_boot_sector_offset_ = 0;
};

/// The result of walking every in-use record's runlists and comparing with $Bitmap. A
/// plain value.
struct UsedMapCheck {
  /// One cluster found wrong, with the file involved.
  struct Example {
    std::uint64_t cluster = 0;  ///< the cluster
    std::uint64_t record = 0;   ///< the file involved (for "free but used", "claimed twice")
    std::string path;           ///< its path, "" when it has none
  };
  std::uint64_t used_but_free = 0;     ///< clusters a file uses that $Bitmap marks free
  std::uint64_t claimed_twice = 0;     ///< clusters two files' runs both name
  std::uint64_t marked_unowned = 0;    ///< clusters $Bitmap marks used that no file owns
  std::vector<Example> used_but_free_examples;    ///< the first few, with their files
  std::vector<Example> claimed_twice_examples;    ///< the first few, with the second file
  std::vector<std::uint64_t> marked_unowned_examples;  ///< the first few clusters
  std::vector<std::string> unreadable;  ///< why records could not be read (the first few)
  /// True when no cluster was found wrong.
  bool consistent() const { return used_but_free == 0 && claimed_twice == 0 && marked_unowned == 0; }
};

/// Walks every in-use record (base and child records, so attribute lists are covered),
/// marking the clusters of each nonresident attribute's runs; keeps at most `max_examples`
/// of each kind. Memory: one bit per cluster. Throws IoError when the MFT cannot be read.
UsedMapCheck verify_used_map(const ntfs::Volume& volume, const UsedMap& map,
                             std::size_t max_examples = 10);

}  // namespace diskimg
