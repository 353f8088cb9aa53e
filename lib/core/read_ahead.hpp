// Reading ahead: the next piece of a long read is read on another thread while the current
// one is used (written out, parsed). On a large copy or MFT scan the reading costs about as
// much as the using, so the two overlap; qemu-img overlaps its reads and writes too.
#pragma once

#include <cstddef>
#include <future>
#include <ranges>
#include <utility>

namespace diskimg {

// For each of `pieces` in order: `read(piece, buffer)` fills a Buffer, then
// `consume(piece, buffer)` uses it while the next piece is read into the other buffer.
// The two sides never share a buffer, and a buffer keeps its capacity from piece to piece.
// An exception from either side ends the loop and reaches the caller, but only after the
// reading thread has finished: it never outlives the buffers (nor `read`).
template <class Buffer, std::ranges::random_access_range Pieces, class Read, class Consume>
void read_ahead(const Pieces& pieces, Read read, Consume consume) {
  const std::size_t count = std::ranges::size(pieces);
  if (count == 0) return;
  Buffer current;
  Buffer next;
  // Declared after the buffers, so destroyed (and, being std::async's, waited for) first.
  std::future<void> reading;
  const auto start_reading = [&](std::size_t index) {
    reading = std::async(std::launch::async,
                         [&read, &next, piece = pieces[index]] { read(piece, next); });
  };
  // The first piece has nothing to overlap with: it is read here, and a source of one piece
  // (a small MFT) starts no thread at all.
  read(pieces[0], next);
  for (std::size_t index = 0; index < count; ++index) {
    if (index > 0) reading.get();  // rethrows what `read` threw
    std::swap(current, next);
    if (index + 1 < count) start_reading(index + 1);
    consume(pieces[index], current);
  }
}

}  // namespace diskimg
