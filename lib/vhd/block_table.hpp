// Where each block of a dynamic or differencing VHD lies in its file: its BAT. Held as one
// entry per block when most blocks are allocated, and as the allocated entries alone
// otherwise, so that a chain of mostly empty children costs memory for what they hold,
// not for the BAT entries they claim.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace diskimg::vhd {

class BlockTable {
 public:
  // From the BAT as read (0xFFFFFFFF: not allocated).
  explicit BlockTable(const std::vector<std::uint32_t>& bat);

  // The block's first sector in the file, or nothing when it is not allocated (or past
  // the table's end).
  std::optional<std::uint32_t> sector(std::uint64_t block) const;
  std::uint64_t entries() const { return entries_; }

 private:
  std::uint64_t entries_ = 0;
  std::vector<std::uint32_t> dense_;                             // by block, or empty
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sparse_;  // (block, sector), sorted
};

}  // namespace diskimg::vhd
