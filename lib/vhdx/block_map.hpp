// Where each payload block of a VHDX lies and in what state: its BAT's payload entries,
// held as runs of blocks that are contiguous in the file and share a state, so that a fixed
// disk or a conversion written in order costs a few runs however large the disk, and a
// sparse one costs memory for what it holds. Blocks in no run are NOT_PRESENT.
#pragma once

#include <cstdint>
#include <vector>

namespace diskimg::vhdx {

struct BlockState {
  std::uint8_t state = 0;    // a PayloadState
  std::uint64_t offset = 0;  // bytes, for FULLY_ and PARTIALLY_PRESENT blocks
};

class BlockMap {
 public:
  explicit BlockMap(std::uint64_t block_size) : block_size_(block_size) {}
  // Blocks must be added in increasing order.
  void add(std::uint64_t block, BlockState state);
  BlockState at(std::uint64_t block) const;
  // The first block at or after `block` whose state is not NOT_PRESENT; `end` when none.
  std::uint64_t next_listed(std::uint64_t block, std::uint64_t end) const;

 private:
  struct Run {
    std::uint64_t first = 0;
    std::uint64_t count = 0;
    std::uint8_t state = 0;
    std::uint64_t offset = 0;  // of the first block; the next ones follow by the block size
  };
  std::uint64_t block_size_ = 0;  // the offsets of a run's blocks advance by it
  std::vector<Run> runs_;
};

}  // namespace diskimg::vhdx
