// From volume bytes to disk bytes, through the layouts: what a copy of the member disks must
// hold for a range of a volume to read the same.
#include <diskimg/ldm/disk_group.hpp>

#include <algorithm>
#include <map>

namespace diskimg::ldm {
namespace {

using Column = std::vector<const Extent*>;  // in volume-offset order

// A range of one column (or plex) onto the extents that hold it.
void column_pieces(const Column& column, std::uint64_t offset, std::uint64_t length, std::vector<DiskPiece>& out) {
  const std::uint64_t end = offset + length;
  for (const Extent* extent : column) {
    const std::uint64_t from = std::max(offset, extent->volume_offset);
    const std::uint64_t to = std::min(end, extent->volume_offset + extent->size);
    if (from < to) out.push_back({extent->disk, extent->disk_offset + (from - extent->volume_offset), to - from});
  }
}

// Chunk by chunk: visit(chunk index, offset within it, length).
template <class Visit>
void for_each_chunk(std::uint64_t offset, std::uint64_t length, std::uint64_t chunk, Visit visit) {
  while (length != 0) {
    const std::uint64_t within = offset % chunk;
    const std::uint64_t piece = std::min(length, chunk - within);
    visit(offset / chunk, within, piece);
    offset += piece;
    length -= piece;
  }
}

}  // namespace

std::vector<DiskPiece> locate(const GroupVolume& volume, std::uint64_t offset, std::uint64_t length) {
  std::map<unsigned, std::map<unsigned, Column>> plexes;  // plex -> column -> extents
  for (const Extent& extent : volume.extents) plexes[extent.plex][extent.column].push_back(&extent);
  for (auto& [plex, columns] : plexes) {
    for (auto& [index, column] : columns) {
      std::sort(column.begin(), column.end(), [](auto* a, auto* b) { return a->volume_offset < b->volume_offset; });
    }
  }
  std::vector<DiskPiece> out;
  const std::uint64_t stripe = volume.stripe_size;
  for (const auto& plex : plexes) {
    const std::map<unsigned, Column>& columns = plex.second;  // a name lambdas can capture
    const std::uint64_t n = columns.size();
    if (n == 1) {
      column_pieces(columns.begin()->second, offset, length, out);
    } else if (stripe == 0) {
      for (const auto& [index, column] : columns) column_pieces(column, 0, UINT64_MAX, out);  // cannot tell: all
    } else if (volume.layout == VolumeLayout::raid5) {
      // The rows touched, in every column: the data and the parity that covers it.
      for_each_chunk(offset, length, stripe, [&](std::uint64_t chunk, std::uint64_t within, std::uint64_t piece) {
        const std::uint64_t row = chunk / (n - 1);
        for (const auto& [index, column] : columns) column_pieces(column, row * stripe + within, piece, out);
      });
    } else {
      for_each_chunk(offset, length, stripe, [&](std::uint64_t chunk, std::uint64_t within, std::uint64_t piece) {
        const auto column = columns.find(static_cast<unsigned>(chunk % n));
        if (column != columns.end()) column_pieces(column->second, chunk / n * stripe + within, piece, out);
      });
    }
  }
  return out;
}

}  // namespace diskimg::ldm
