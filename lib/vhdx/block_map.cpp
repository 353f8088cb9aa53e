#include "vhdx/block_map.hpp"

#include "vhdx/vhdx_structures.hpp"

#include <algorithm>

namespace diskimg::vhdx {
namespace {

bool holds_data(std::uint8_t state) {
  return state == disk::payload_fully_present || state == disk::payload_partially_present;
}

}  // namespace

void BlockMap::add(std::uint64_t block, BlockState state) {
  if (state.state == disk::payload_not_present) return;
  if (!runs_.empty()) {
    Run& last = runs_.back();
    const bool next = last.first + last.count == block && last.state == state.state;
    if (next && (!holds_data(state.state) || last.offset + last.count * block_size_ == state.offset)) {
      ++last.count;
      return;
    }
  }
  runs_.push_back({block, 1, state.state, holds_data(state.state) ? state.offset : 0});
}

BlockState BlockMap::at(std::uint64_t block) const {
  const auto after = std::upper_bound(runs_.begin(), runs_.end(), block,
                                      [](std::uint64_t b, const Run& run) { return b < run.first; });
  if (after == runs_.begin()) return {};
  const Run& run = *std::prev(after);
  if (block >= run.first + run.count) return {};
  return {run.state, holds_data(run.state) ? run.offset + (block - run.first) * block_size_ : 0};
}

std::uint64_t BlockMap::next_listed(std::uint64_t block, std::uint64_t end) const {
  const auto after = std::upper_bound(runs_.begin(), runs_.end(), block,
                                      [](std::uint64_t b, const Run& run) { return b < run.first; });
  if (after != runs_.begin() && block < std::prev(after)->first + std::prev(after)->count) return block;
  return after == runs_.end() ? end : std::min(end, after->first);
}

}  // namespace diskimg::vhdx
