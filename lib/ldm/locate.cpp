// From volume bytes to disk bytes, through the layouts: what a copy of the member disks must
// hold for a range of a volume to read the same.
#include <diskimg/ldm/disk_group.hpp>

#include <algorithm>
#include <map>

namespace diskimg::ldm {
namespace {

// A range of one column (or plex) onto the extents that hold it.
void column_pieces(const std::vector<Extent>& column, std::uint64_t offset, std::uint64_t length,
                   std::vector<DiskPiece>& out) {
  const std::uint64_t end = length > UINT64_MAX - offset ? UINT64_MAX : offset + length;
  for (const Extent& extent : column) {
    const std::uint64_t from = std::max(offset, extent.volume_offset);
    const std::uint64_t to = std::min(end, extent.volume_offset + extent.size);
    if (from < to) out.push_back({extent.disk, extent.disk_offset + (from - extent.volume_offset), to - from});
  }
}

}  // namespace

Locator::Locator(const GroupVolume& volume) : layout_(volume.layout), stripe_(volume.stripe_size) {
  std::map<unsigned, std::map<unsigned, Column>> plexes;
  for (const Extent& extent : volume.extents) plexes[extent.plex][extent.column].push_back(extent);
  for (auto& [plex, columns] : plexes) {
    std::vector<Column>& sorted = plexes_.emplace_back();
    for (auto& [index, column] : columns) {
      std::sort(column.begin(), column.end(),
                [](const Extent& a, const Extent& b) { return a.volume_offset < b.volume_offset; });
      sorted.push_back(std::move(column));  // columns in index order: 0, 1, ... n - 1
    }
  }
}

void Locator::locate(std::uint64_t offset, std::uint64_t length, std::vector<DiskPiece>& out) const {
  if (length == 0) return;
  for (const std::vector<Column>& columns : plexes_) {
    if (columns.size() == 1) {
      column_pieces(columns.front(), offset, length, out);
    } else if (stripe_ == 0) {
      for (const Column& column : columns) column_pieces(column, 0, UINT64_MAX, out);  // cannot tell: all
    } else if (layout_ == VolumeLayout::raid5) {
      locate_raid5(columns, offset, length, out);
    } else {
      locate_striped(columns, offset, length, out);
    }
  }
}

// Chunk c lies in column c % n at column offset (c / n) * stripe: a column's chunks of a
// range follow each other there, so its share is one column range, from the first of its
// chunks in the range to the last.
void Locator::locate_striped(const std::vector<Column>& columns, std::uint64_t offset, std::uint64_t length,
                             std::vector<DiskPiece>& out) const {
  const std::uint64_t n = columns.size();
  const std::uint64_t last_byte = offset + (length - 1);
  const std::uint64_t first_chunk = offset / stripe_;
  const std::uint64_t last_chunk = last_byte / stripe_;
  for (std::uint64_t k = 0; k < n; ++k) {
    const std::uint64_t first = first_chunk + (k + n - first_chunk % n) % n;
    if (first > last_chunk) continue;
    const std::uint64_t last = last_chunk - (last_chunk % n + n - k) % n;
    const std::uint64_t start = first / n * stripe_ + (first == first_chunk ? offset % stripe_ : 0);
    const std::uint64_t end = last / n * stripe_ + (last == last_chunk ? last_byte % stripe_ + 1 : stripe_);
    column_pieces(columns[k], start, end - start, out);
  }
}

// RAID-5 (left-symmetric): a row of n - 1 data chunks and one parity chunk at the same
// column offsets. Every column keeps, for each row touched, the part of the row its data
// chunks touch: the whole row for the rows between the first and the last.
void Locator::locate_raid5(const std::vector<Column>& columns, std::uint64_t offset, std::uint64_t length,
                           std::vector<DiskPiece>& out) const {
  const std::uint64_t data_columns = columns.size() - 1;
  const std::uint64_t end = offset + length;
  const std::uint64_t first_row = offset / stripe_ / data_columns;
  const std::uint64_t last_row = (end - 1) / stripe_ / data_columns;
  const std::uint64_t row_bytes = stripe_ * data_columns;  // volume bytes per row
  // The chunks of one row that lie in [from, to), each onto every column.
  const auto edge_row = [&](std::uint64_t row) {
    const std::uint64_t from = std::max(offset, row * row_bytes);
    const std::uint64_t to = std::min(end, (row + 1) * row_bytes);
    for (std::uint64_t at = from; at < to;) {
      const std::uint64_t within = at % stripe_;
      const std::uint64_t piece = std::min(to - at, stripe_ - within);
      for (const Column& column : columns) column_pieces(column, row * stripe_ + within, piece, out);
      at += piece;
    }
  };
  edge_row(first_row);
  if (last_row > first_row + 1) {
    for (const Column& column : columns) {
      column_pieces(column, (first_row + 1) * stripe_, (last_row - first_row - 1) * stripe_, out);
    }
  }
  if (last_row != first_row) edge_row(last_row);
}

std::vector<DiskPiece> locate(const GroupVolume& volume, std::uint64_t offset, std::uint64_t length) {
  std::vector<DiskPiece> out;
  Locator(volume).locate(offset, length, out);
  return out;
}

}  // namespace diskimg::ldm
