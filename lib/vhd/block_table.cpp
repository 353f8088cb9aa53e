#include "vhd/block_table.hpp"

#include <algorithm>

namespace diskimg::vhd {
namespace {

constexpr std::uint32_t unallocated = 0xFFFFFFFF;

}  // namespace

BlockTable::BlockTable(const std::vector<std::uint32_t>& bat) : entries_(bat.size()) {
  const auto allocated = static_cast<std::size_t>(std::count_if(
      bat.begin(), bat.end(), [](std::uint32_t entry) { return entry != unallocated; }));
  // A pair costs two entries: dense pays once half the blocks are there.
  if (allocated * 2 >= bat.size()) {
    dense_ = bat;
    return;
  }
  sparse_.reserve(allocated);
  for (std::size_t block = 0; block < bat.size(); ++block) {
    if (bat[block] != unallocated) sparse_.emplace_back(static_cast<std::uint32_t>(block), bat[block]);
  }
}

std::optional<std::uint32_t> BlockTable::sector(std::uint64_t block) const {
  if (block >= entries_) return std::nullopt;
  if (!dense_.empty()) {
    if (dense_[block] == unallocated) return std::nullopt;
    return dense_[block];
  }
  const auto found = std::lower_bound(sparse_.begin(), sparse_.end(), block,
                                      [](const auto& entry, std::uint64_t b) { return entry.first < b; });
  if (found == sparse_.end() || found->first != block) return std::nullopt;
  return found->second;
}

}  // namespace diskimg::vhd
