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

}  // namespace diskimg::vhd
