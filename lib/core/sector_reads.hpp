// Reads of any range through a function that takes only whole sectors inside one block:
// what the image writers' reads share.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace diskimg {

// Reads [offset, offset + buffer.size()) through `read_whole(offset, span)`, which is asked
// only for whole `sector`s inside one `block` (`block` a multiple of `sector`): pieces are
// widened to whole sectors, a MiB at most at a time, and copied out.
template <class ReadWhole>
void read_by_sectors(std::uint64_t offset, std::span<std::byte> buffer, std::uint64_t sector, std::uint64_t block,
                     ReadWhole read_whole) {
  constexpr std::uint64_t max_piece = 1 << 20;
  std::vector<std::byte> scratch;
  while (!buffer.empty()) {
    const std::uint64_t block_end = (offset / block + 1) * block;
    const auto piece = static_cast<std::size_t>(std::min<std::uint64_t>({buffer.size(), block_end - offset, max_piece}));
    const std::uint64_t first = offset / sector * sector;
    const std::uint64_t end = (offset + piece + sector - 1) / sector * sector;
    if (first == offset && end == offset + piece) {
      read_whole(offset, buffer.first(piece));
    } else {
      scratch.resize(static_cast<std::size_t>(end - first));
      read_whole(first, std::span(scratch));
      std::copy_n(scratch.begin() + static_cast<std::ptrdiff_t>(offset - first), piece, buffer.begin());
    }
    offset += piece;
    buffer = buffer.subspan(piece);
  }
}

}  // namespace diskimg
