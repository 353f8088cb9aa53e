#include "vss/snapshot_source.hpp"

#include "vss/vss_structures.hpp"

#include <algorithm>

namespace diskimg::vss {
namespace {

constexpr std::uint64_t sector = 512;

class SnapshotSource final : public ByteSource {
 public:
  SnapshotSource(SourcePtr volume, std::vector<std::shared_ptr<const StoreMap>> stores,
                 std::shared_ptr<const StoreBitmaps> bitmaps, std::uint64_t size, std::string name)
      : volume_(std::move(volume)), stores_(std::move(stores)), bitmaps_(std::move(bitmaps)), size_(size),
        name_(std::move(name)) {
    for (const auto& store : stores_) {
      for (const auto& [block, saved] : store->blocks) described_.push_back(block);
      for (const auto& [block, overlay] : store->overlays) described_.push_back(block);
    }
    std::sort(described_.begin(), described_.end());
    described_.erase(std::unique(described_.begin(), described_.end()), described_.end());
  }

  std::uint64_t size() const override { return size_; }
  std::uint32_t sector_size() const override { return volume_->sector_size(); }
  std::string name() const override { return name_; }
  // A block may hold data where a store describes it or where the current volume has data
  // (a block the bitmaps turn to zeros is named anyway: the answer may be early, never late).
  std::uint64_t next_data(std::uint64_t offset) const override {
    if (offset >= size_) return size_;
    const std::uint64_t block = offset - offset % block_size;
    const auto described = std::lower_bound(described_.begin(), described_.end(), block);
    std::uint64_t found = volume_->next_data(std::min(offset, volume_->size()));
    if (described != described_.end()) found = std::min(found, std::max(*described, offset));
    return std::min(found, size_);
  }

 protected:
  // Block by block, but the blocks that lie one after the other on the volume (or read as
  // zeros) are read in one request: most of a copy is the current volume.
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    while (!buffer.empty()) {
      const std::uint64_t block = offset - offset % block_size;
      if (stores_.front()->overlays.contains(block)) {
        const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), block + block_size - offset));
        read_overlaid(offset, buffer.first(length));
        buffer = buffer.subspan(length);
        offset += length;
        continue;
      }
      const Place place = locate(0, offset);
      std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), block + block_size - offset));
      while (length < buffer.size()) {
        const std::uint64_t next = offset + length;
        if (stores_.front()->overlays.contains(next)) break;
        const Place then = locate(0, next);
        if (then.zeros != place.zeros || (!place.zeros && then.offset != place.offset + length)) break;
        length += static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size() - length, block_size));
      }
      read_at(place, buffer.first(length));
      buffer = buffer.subspan(length);
      offset += length;
    }
  }

 private:
  // Where the bytes at an offset of the copy are: zeros, or an offset of the current volume.
  struct Place {
    bool zeros = false;
    std::uint64_t offset = 0;
  };

  // A part of one 16 KiB block that the copy's overlay covers in part: sector by sector.
  void read_overlaid(std::uint64_t offset, std::span<std::byte> out) const {
    const std::uint64_t block = offset - offset % block_size;
    const Overlay& overlay = stores_.front()->overlays.at(block);
    while (!out.empty()) {
      const std::uint64_t within = offset - block;
      const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), sector - within % sector));
      if ((overlay.sectors >> (within / sector) & 1) != 0) {
        read_volume(overlay.store_offset + within, out.first(length));
      } else {
        read_at(locate(0, offset), out.first(length));
      }
      out = out.subspan(length);
      offset += length;
    }
  }

  // Where store `k` (0: the copy read) keeps the bytes at `offset`. The first store from k
  // on that saved the block gives it (a forwarder sends the search on to the next store, at
  // the block it names); none did: the current volume, except that when the newest copy
  // itself is read, its bitmaps say which blocks were not in use (zeros) unless one of its
  // forwarders names the block. Forwarders only move to newer stores: at most one step each.
  Place locate(std::size_t k, std::uint64_t offset) const {
    for (;;) {
      const StoreMap& store = *stores_[k];
      const std::uint64_t block = offset - offset % block_size;
      const std::uint64_t within = offset - block;
      const bool newer = k + 1 < stores_.size();
      if (const auto saved = store.blocks.find(block); saved != store.blocks.end()) {
        if (!saved->second.forwarder) return {false, saved->second.store_offset + within};
        if (!newer) return {false, saved->second.relative_offset + within};  // the newest forwards to the volume
        offset = saved->second.relative_offset + within;
        ++k;
      } else if (newer) {
        ++k;
      } else if (k == 0 && bitmaps_ && !store.reverse.contains(block) && bitmaps_->not_in_use(block)) {
        return {true, 0};
      } else {
        return {false, offset};
      }
    }
  }

  void read_at(const Place& place, std::span<std::byte> out) const {
    if (place.zeros) {
      std::fill(out.begin(), out.end(), std::byte{0});
    } else {
      read_volume(place.offset, out);
    }
  }

  // The current volume; zeros past its end, and where the volume says it has a hole (a
  // sparse image: most of a copy of a mostly empty volume is such holes, and asking the
  // kernel for them costs more than the two lseeks that find them).
  void read_volume(std::uint64_t offset, std::span<std::byte> out) const {
    const std::uint64_t size = volume_->size();
    while (!out.empty() && offset < size) {
      const std::uint64_t data = volume_->next_data(offset);
      std::size_t length = 0;
      if (data > offset) {
        length = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), data - offset));
        std::fill_n(out.begin(), length, std::byte{0});
      } else {
        const std::uint64_t hole = std::max(volume_->next_hole(offset), offset + 1);
        length = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), std::min(hole, size) - offset));
        volume_->read(offset, out.first(length));
      }
      out = out.subspan(length);
      offset += length;
    }
    std::fill(out.begin(), out.end(), std::byte{0});
  }

  SourcePtr volume_;
  std::vector<std::shared_ptr<const StoreMap>> stores_;
  std::shared_ptr<const StoreBitmaps> bitmaps_;  // the copy's own when it is the newest
  std::vector<std::uint64_t> described_;  // every block some store describes, sorted
  std::uint64_t size_;
  std::string name_;
};

}  // namespace

SourcePtr snapshot_source(SourcePtr volume, std::vector<std::shared_ptr<const StoreMap>> stores,
                          std::shared_ptr<const StoreBitmaps> bitmaps, std::uint64_t size, std::string name) {
  return std::make_shared<SnapshotSource>(std::move(volume), std::move(stores), std::move(bitmaps), size,
                                          std::move(name));
}

}  // namespace diskimg::vss
