#include "vhd/bitmap_cache.hpp"

namespace diskimg::vhd {

std::vector<std::byte> BitmapCache::get(std::uint64_t block,
                                        const std::function<std::vector<std::byte>()>& read) const {
  const std::lock_guard lock(mutex_);
  Slot& slot = slots_[block % slots_.size()];
  if (slot.block != block) {
    slot.bitmap = read();
    slot.block = block;
  }
  return slot.bitmap;
}

void BitmapCache::put(std::uint64_t block, std::vector<std::byte> bitmap) const {
  const std::lock_guard lock(mutex_);
  Slot& slot = slots_[block % slots_.size()];
  slot.bitmap = std::move(bitmap);
  slot.block = block;
}

}  // namespace diskimg::vhd
