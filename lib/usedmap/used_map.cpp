#include "core/allocate.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/catalog.hpp>
#include <diskimg/usedmap/used_map.hpp>

#include <bit>

#include <fmt/format.h>

namespace diskimg {
namespace {

constexpr std::uint64_t bitmap_record = 6;

bool bit(const std::vector<std::uint8_t>& bits, std::uint64_t index) {
  return (bits[index / 8] >> (index % 8)) & 1;
}

void set_bit(std::vector<std::uint8_t>& bits, std::uint64_t index) {
  bits[index / 8] = static_cast<std::uint8_t>(bits[index / 8] | (1u << (index % 8)));
}

}  // namespace

UsedMap UsedMap::read(const ntfs::Volume& volume) {
  const ntfs::BootSector& boot = volume.boot_sector();
  UsedMap map;
  map.cluster_size_ = boot.cluster_size;
  map.sector_size_ = boot.bytes_per_sector;
  map.total_clusters_ = boot.total_clusters;
  map.backup_boot_sector_offset_ = boot.total_sectors * boot.bytes_per_sector;
  const auto stream = volume.open_stream(volume.read_file(bitmap_record));
  const std::uint64_t needed = (boot.total_clusters + 7) / 8;
  // Windows never makes $Bitmap sparse; a sparse run would let a tiny volume image claim
  // a bitmap, and the memory for it, as large as its boot sector says.
  for (const ntfs::Run& run : stream->runs()) {
    if (run.sparse() && run.vcn * map.cluster_size_ < needed) {
      throw FormatError(fmt::format("ntfs: $Bitmap has a sparse run at VCN {} ({} clusters)", run.vcn, run.length),
                        {"$Bitmap (MFT record 6)", volume.record_offset(bitmap_record)});
    }
  }
  if (stream->size() < needed) {
    throw FormatError(fmt::format("ntfs: $Bitmap has {} bytes; {} clusters need {}",
                                  stream->size(), boot.total_clusters, needed),
                      {"$Bitmap (MFT record 6)", volume.record_offset(bitmap_record)});
  }
  allocating("ntfs: $Bitmap (MFT record 6)", needed, {"$Bitmap (MFT record 6)", volume.record_offset(bitmap_record)},
             [&] { map.bits_.resize(static_cast<std::size_t>(needed)); });
  stream->read(0, std::as_writable_bytes(std::span(map.bits_)));
  // Bits past the last cluster are set on disk; they are no clusters.
  if (boot.total_clusters % 8 != 0) {
    map.bits_.back() = static_cast<std::uint8_t>(map.bits_.back() & ((1u << (boot.total_clusters % 8)) - 1));
  }
  set_bit(map.bits_, 0);  // the boot sector, whatever $Bitmap says
  for (const std::uint8_t byte : map.bits_) map.used_clusters_ += static_cast<unsigned>(std::popcount(byte));
  return map;
}

bool UsedMap::used(std::uint64_t cluster) const {
  return cluster < total_clusters_ && bit(bits_, cluster);
}

void UsedMap::for_each_extent(const std::function<void(const ClusterExtent&)>& visit) const {
  std::uint64_t cluster = 0;
  while (cluster < total_clusters_) {
    // Whole bytes of zeros or ones are skipped a byte at a time.
    if (cluster % 8 == 0 && cluster + 8 <= total_clusters_ && bits_[cluster / 8] == 0) {
      cluster += 8;
      continue;
    }
    if (!bit(bits_, cluster)) {
      ++cluster;
      continue;
    }
    const std::uint64_t first = cluster;
    while (cluster < total_clusters_) {
      if (cluster % 8 == 0 && cluster + 8 <= total_clusters_ && bits_[cluster / 8] == 0xFF) {
        cluster += 8;
      } else if (bit(bits_, cluster)) {
        ++cluster;
      } else {
        break;
      }
    }
    visit({first, cluster - first});
  }
}

std::vector<ClusterExtent> UsedMap::extents() const {
  std::vector<ClusterExtent> all;
  for_each_extent([&](const ClusterExtent& extent) { all.push_back(extent); });
  return all;
}

UsedMapCheck verify_used_map(const ntfs::Volume& volume, const UsedMap& map,
                             std::size_t max_examples) {
  UsedMapCheck check;
  const std::uint64_t total = map.total_clusters();
  std::vector<std::uint8_t> owned;
  allocating(fmt::format("usedmap: the owners of {} clusters", total), (total + 7) / 8,
             {"$Bitmap (MFT record 6)", std::nullopt}, [&] { owned.assign((total + 7) / 8, 0); });
  set_bit(owned, 0);  // the boot sector belongs to the volume itself
  std::vector<std::pair<std::uint64_t, std::uint64_t>> used_but_free;  // cluster, record
  std::vector<std::pair<std::uint64_t, std::uint64_t>> twice;
  // One cluster of a run: owned now, and compared with $Bitmap.
  const auto mark_cluster = [&](std::uint64_t cluster, std::uint64_t owner) {
    if (bit(owned, cluster)) {
      if (cluster != 0 && check.claimed_twice++ < max_examples) twice.emplace_back(cluster, owner);
    } else {
      set_bit(owned, cluster);
    }
    if (!map.used(cluster) && check.used_but_free++ < max_examples) used_but_free.emplace_back(cluster, owner);
  };
  // Eight clusters at once, where a run covers a whole byte of both bitmaps; a byte with
  // something to report goes cluster by cluster while examples are still wanted.
  const auto mark_byte = [&](std::uint64_t index, std::uint64_t owner) {
    const std::uint8_t already = owned[index];
    const auto free = static_cast<std::uint8_t>(~map.bits()[index]);
    if ((already != 0 && check.claimed_twice < max_examples) || (free != 0 && check.used_but_free < max_examples)) {
      for (std::uint64_t cluster = index * 8; cluster < index * 8 + 8; ++cluster) mark_cluster(cluster, owner);
      return;
    }
    check.claimed_twice += static_cast<unsigned>(std::popcount(index == 0 ? static_cast<std::uint8_t>(already & 0xFE)
                                                                          : already));
    check.used_but_free += static_cast<unsigned>(std::popcount(free));
    owned[index] = 0xFF;
  };
  // Runs may name any clusters, and as often as records like: past twice the volume's
  // clusters every further run is counted as claimed twice without walking it, so the work
  // stays bounded by the volume, not by what hostile records claim.
  const std::uint64_t work_limit = 2 * total + 1024;
  std::uint64_t claimed = 0;
  volume.scan_records([&](std::uint64_t number, const ntfs::FileRecord* record, const FormatError* fault) {
    if (record == nullptr) {
      if (fault != nullptr && check.unreadable.size() < max_examples) check.unreadable.emplace_back(fault->what());
      return;
    }
    if (!record->in_use()) return;
    const std::uint64_t owner = record->is_base() ? number : record->base.record;
    for (const ntfs::Attribute& attribute : record->attributes) {
      for (const ntfs::Run& run : attribute.runs) {
        if (run.sparse()) continue;
        if (claimed > work_limit) {
          check.claimed_twice += run.length;
          continue;
        }
        claimed += run.length;
        const std::uint64_t end = *run.lcn + run.length;  // inside the volume: runlist checks it
        std::uint64_t cluster = *run.lcn;
        for (; cluster < end && cluster % 8 != 0; ++cluster) mark_cluster(cluster, owner);
        for (; cluster + 8 <= end; cluster += 8) mark_byte(cluster / 8, owner);
        for (; cluster < end; ++cluster) mark_cluster(cluster, owner);
      }
    }
  });
  for (std::uint64_t cluster = 0; cluster < total; ++cluster) {
    if (map.used(cluster) && !bit(owned, cluster)) {
      if (check.marked_unowned++ < max_examples) check.marked_unowned_examples.push_back(cluster);
    }
  }
  if (!used_but_free.empty() || !twice.empty()) {
    const ntfs::Catalog catalog = ntfs::Catalog::build(volume);
    for (const auto& [cluster, record] : used_but_free) {
      check.used_but_free_examples.push_back({cluster, record, catalog.path_of(record)});
    }
    for (const auto& [cluster, record] : twice) {
      check.claimed_twice_examples.push_back({cluster, record, catalog.path_of(record)});
    }
  }
  return check;
}

}  // namespace diskimg
