// Used-cluster maps: which clusters of an NTFS volume hold something, from its $Bitmap, and
// a check of that bitmap against the runlists of every file.
#pragma once

#include <diskimg/ntfs/volume.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace diskimg {

struct ClusterExtent {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

class UsedMap {
 public:
  // Reads $Bitmap (record 6). Bits past the last cluster are ignored; cluster 0 (the boot
  // sector) always counts as used. Throws FormatError when $Bitmap is shorter than the
  // volume needs.
  static UsedMap read(const ntfs::Volume& volume);

  std::uint32_t cluster_size() const { return cluster_size_; }
  std::uint64_t total_clusters() const { return total_clusters_; }
  std::uint64_t used_clusters() const { return used_clusters_; }
  bool used(std::uint64_t cluster) const;
  // The used clusters as sorted, maximal extents.
  void for_each_extent(const std::function<void(const ClusterExtent&)>& visit) const;
  std::vector<ClusterExtent> extents() const;
  // The backup boot sector: the volume's last sector, past its last cluster; always copied.
  std::uint64_t backup_boot_sector_offset() const { return backup_boot_sector_offset_; }
  std::uint32_t sector_size() const { return sector_size_; }

 private:
  std::vector<std::uint8_t> bits_;  // one bit per cluster, LSB first, as on disk
  std::uint32_t cluster_size_ = 0;
  std::uint32_t sector_size_ = 0;
  std::uint64_t total_clusters_ = 0;
  std::uint64_t used_clusters_ = 0;
  std::uint64_t backup_boot_sector_offset_ = 0;
};

// The result of walking every in-use record's runlists and comparing with $Bitmap.
struct UsedMapCheck {
  struct Example {
    std::uint64_t cluster = 0;
    std::uint64_t record = 0;   // the file involved (for "free but used", "claimed twice")
    std::string path;           // its path, "" when it has none
  };
  std::uint64_t used_but_free = 0;     // clusters a file uses that $Bitmap marks free
  std::uint64_t claimed_twice = 0;     // clusters two files' runs both name
  std::uint64_t marked_unowned = 0;    // clusters $Bitmap marks used that no file owns
  std::vector<Example> used_but_free_examples;
  std::vector<Example> claimed_twice_examples;
  std::vector<std::uint64_t> marked_unowned_examples;
  std::vector<std::string> unreadable;  // records that could not be read
  bool consistent() const { return used_but_free == 0 && claimed_twice == 0 && marked_unowned == 0; }
};

// Walks every in-use record (base and child records, so attribute lists are covered),
// marking the clusters of each nonresident attribute's runs. Memory: one bit per cluster.
UsedMapCheck verify_used_map(const ntfs::Volume& volume, const UsedMap& map,
                             std::size_t max_examples = 10);

}  // namespace diskimg
