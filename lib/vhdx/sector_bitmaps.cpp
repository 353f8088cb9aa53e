#include "vhdx/sector_bitmaps.hpp"

#include <diskimg/core/error.hpp>

#include <fmt/format.h>

namespace diskimg::vhdx {
namespace {

constexpr std::size_t cache_slots = 256;

}  // namespace

SectorBitmaps::SectorBitmaps(SourcePtr file, std::map<std::uint64_t, std::uint64_t> blocks,
                             std::uint64_t sectors_per_block, std::uint64_t chunk_ratio)
    : file_(std::move(file)), blocks_(std::move(blocks)), sectors_per_block_(sectors_per_block),
      chunk_ratio_(chunk_ratio), slots_(cache_slots) {}

std::vector<std::byte> SectorBitmaps::of_block(std::uint64_t block) const {
  const std::lock_guard lock(mutex_);
  Slot& slot = slots_[block % slots_.size()];
  if (slot.block == block) return slot.bits;
  const std::uint64_t chunk = block / chunk_ratio_;
  const auto found = blocks_.find(chunk);
  if (found == blocks_.end()) {
    throw FormatError(fmt::format("vhdx: {}: payload block {} is partially present but chunk {} has no sector "
                                  "bitmap block", file_->name(), block, chunk),
                      {file_->name() + ": BAT", std::nullopt});
  }
  // Each payload block's bits start on a whole byte: a block is at least 256 sectors.
  const std::uint64_t first_bit = (block % chunk_ratio_) * sectors_per_block_;
  std::vector<std::byte> bits = file_->read(found->second + first_bit / 8, sectors_per_block_ / 8);
  slot.bits = std::move(bits);
  slot.block = block;
  return slot.bits;
}

}  // namespace diskimg::vhdx
