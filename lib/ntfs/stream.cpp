#include "core/arithmetic.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/lznt1.hpp>
#include <diskimg/ntfs/stream.hpp>

#include <algorithm>
#include <new>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

// NTFS compresses in units of 16 clusters of at most 4 KiB; allow some room, no more.
constexpr std::uint64_t max_compression_unit_bytes = 4u << 20;

}  // namespace

Stream::Stream(SourcePtr volume, StreamGeometry geometry, std::vector<const Attribute*> extents,
               std::string name)
    : volume_(std::move(volume)), geometry_(geometry), name_(std::move(name)) {
  if (extents.empty()) throw NotFoundError(name_ + ": no such attribute");
  const Attribute& first = *extents.front();
  if (first.resident) {
    if (extents.size() > 1) {
      throw FormatError(fmt::format("{}: a resident attribute split into {} extents", name_,
                                    extents.size()), Location{name_, std::nullopt});
    }
    value_ = first.value;
    data_size_ = allocated_size_ = initialized_size_ = value_.size();
    return;
  }
  resident_ = false;
  if (first.encrypted()) {
    throw UnsupportedError(name_ + ": encrypted (EFS) streams cannot be read");
  }
  if (first.first_vcn != 0) {
    throw FormatError(fmt::format("{}: first extent starts at VCN {}, not 0", name_,
                                  first.first_vcn), Location{name_, std::nullopt});
  }
  data_size_ = first.data_size;
  allocated_size_ = first.allocated_size;
  initialized_size_ = std::min(first.initialized_size, first.data_size);

  std::uint64_t next_vcn = 0;
  for (const Attribute* extent : extents) {
    if (extent->resident) {
      throw FormatError(fmt::format("{}: resident extent (record {}) among nonresident ones",
                                    name_, extent->record), Location{name_, std::nullopt});
    }
    if (extent->first_vcn != next_vcn) {
      throw FormatError(fmt::format("{}: extent in record {} starts at VCN {}, expected {}",
                                    name_, extent->record, extent->first_vcn, next_vcn), Location{name_, std::nullopt});
    }
    runs_.insert(runs_.end(), extent->runs.begin(), extent->runs.end());
    if (!extent->runs.empty()) next_vcn = runs_.back().vcn + runs_.back().length;
  }
  const std::uint64_t cluster_size = geometry_.cluster_size;
  if (next_vcn > ~std::uint64_t{0} / cluster_size || data_size_ > next_vcn * cluster_size) {
    throw FormatError(fmt::format("{}: data size {} exceeds the {} clusters its runs map",
                                  name_, data_size_, next_vcn), Location{name_, std::nullopt});
  }
  if (first.compressed()) {
    // Windows writes 4 (16 clusters); past 2^16 clusters no unit fits the limit, and the
    // product must not wrap (2^63 clusters of 2 once multiplied to 0 and divided by it).
    const std::uint64_t unit_clusters = std::uint64_t{1} << std::min<unsigned>(first.compression_unit, 16);
    const std::optional<std::uint64_t> unit_bytes = checked_multiply(unit_clusters, cluster_size);
    if (first.compression_unit == 0 || first.compression_unit > 16 || !unit_bytes ||
        *unit_bytes > max_compression_unit_bytes) {
      throw FormatError(fmt::format("{}: compression unit of 2^{} clusters is invalid", name_,
                                    first.compression_unit), Location{name_, std::nullopt});
    }
    compression_unit_clusters_ = unit_clusters;
  }
  find_holes();
}

void Stream::find_holes() {
  // Sparse runs, joined where adjacent, as byte ranges; a compressed stream's hole is the
  // whole units inside them (a unit's sparse tail belongs to its compressed data).
  const std::uint64_t cluster_size = geometry_.cluster_size;
  const std::uint64_t unit = std::max<std::uint64_t>(compression_unit_clusters_, 1) * cluster_size;
  const std::uint64_t zeros_from = std::min(initialized_size_, data_size_);
  const auto add = [&](std::uint64_t first, std::uint64_t end) {
    // Rounded up without wrapping: a range that starts within a unit of 2^64 holds no
    // whole unit.
    if (first % unit != 0) {
      if (first > ~std::uint64_t{0} - unit) return;
      first += unit - first % unit;
    }
    end = std::min(end / unit * unit, zeros_from);
    if (first >= end) return;
    if (!holes_.empty() && holes_.back().second >= first) {
      holes_.back().second = std::max(holes_.back().second, end);
    } else {
      holes_.emplace_back(first, end);
    }
  };
  std::optional<std::uint64_t> sparse_from;  // the first VCN of the sparse runs being joined
  for (const Run& run : runs_) {
    if (run.sparse()) {
      if (!sparse_from) sparse_from = run.vcn;
      continue;
    }
    if (sparse_from) add(*sparse_from * cluster_size, run.vcn * cluster_size);
    sparse_from.reset();
  }
  if (sparse_from && !runs_.empty()) add(*sparse_from * cluster_size, (runs_.back().vcn + runs_.back().length) * cluster_size);
  if (zeros_from < data_size_) {
    if (!holes_.empty() && holes_.back().second >= zeros_from) {
      holes_.back().second = data_size_;
    } else {
      holes_.emplace_back(zeros_from, data_size_);
    }
  }
}

std::uint64_t Stream::next_data(std::uint64_t offset) const {
  if (offset >= data_size_) return data_size_;
  const auto after = std::upper_bound(holes_.begin(), holes_.end(), offset,
                                      [](std::uint64_t value, const auto& hole) { return value < hole.first; });
  if (after != holes_.begin() && offset < std::prev(after)->second) return std::prev(after)->second;
  return offset;
}

std::uint64_t Stream::next_hole(std::uint64_t offset) const {
  if (offset >= data_size_) return data_size_;
  const auto after = std::upper_bound(holes_.begin(), holes_.end(), offset,
                                      [](std::uint64_t value, const auto& hole) { return value < hole.first; });
  if (after != holes_.begin() && offset < std::prev(after)->second) return offset;
  return after == holes_.end() ? data_size_ : after->first;
}

std::size_t Stream::run_index(std::uint64_t vcn) const {
  const auto after = std::upper_bound(runs_.begin(), runs_.end(), vcn,
                                      [](std::uint64_t v, const Run& run) { return v < run.vcn; });
  if (after == runs_.begin() || vcn >= std::prev(after)->vcn + std::prev(after)->length) {
    throw FormatError(fmt::format("{}: VCN {} is not mapped by any run", name_, vcn), Location{name_, std::nullopt});
  }
  return static_cast<std::size_t>(after - runs_.begin() - 1);
}

std::optional<std::uint64_t> Stream::volume_offset(std::uint64_t offset) const {
  if (resident_ || compressed()) return std::nullopt;
  const std::uint64_t cluster_size = geometry_.cluster_size;
  const std::uint64_t vcn = offset / cluster_size;
  const auto after = std::upper_bound(runs_.begin(), runs_.end(), vcn,
                                      [](std::uint64_t v, const Run& run) { return v < run.vcn; });
  if (after == runs_.begin()) return std::nullopt;
  const Run& run = *std::prev(after);
  if (vcn >= run.vcn + run.length || run.sparse()) return std::nullopt;
  return *run.lcn * cluster_size + (offset - run.vcn * cluster_size);
}

void Stream::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  if (resident_) {
    std::copy_n(value_.begin() + static_cast<std::ptrdiff_t>(offset), buffer.size(),
                buffer.begin());
    return;
  }
  // Bytes past the initialized size read as zeros whatever the clusters hold.
  const std::uint64_t readable =
      offset >= initialized_size_ ? 0 : std::min<std::uint64_t>(buffer.size(), initialized_size_ - offset);
  std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(readable), buffer.end(), std::byte{0});
  if (readable == 0) return;
  const auto head = buffer.first(static_cast<std::size_t>(readable));
  if (compressed()) {
    read_compressed(offset, head);
  } else {
    read_mapped(offset, head);
  }
}

void Stream::read_mapped(std::uint64_t offset, std::span<std::byte> buffer) const {
  const std::uint64_t cluster_size = geometry_.cluster_size;
  while (!buffer.empty()) {
    const std::uint64_t vcn = offset / cluster_size;
    const Run& run = runs_[run_index(vcn)];
    const std::uint64_t run_end = (run.vcn + run.length) * cluster_size;
    const std::size_t piece =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), run_end - offset));
    if (run.sparse()) {
      std::fill_n(buffer.begin(), piece, std::byte{0});
    } else {
      const std::uint64_t into_run = offset - run.vcn * cluster_size;
      volume_->read(*run.lcn * cluster_size + into_run, buffer.first(piece));
    }
    buffer = buffer.subspan(piece);
    offset += piece;
  }
}

const std::vector<std::byte>& Stream::compression_unit(std::uint64_t index) const {
  if (cached_unit_ == index) return cached_bytes_;
  const std::uint64_t cluster_size = geometry_.cluster_size;
  const std::uint64_t unit_bytes = compression_unit_clusters_ * cluster_size;
  const std::uint64_t first_vcn = index * compression_unit_clusters_;
  const std::uint64_t end_vcn = first_vcn + compression_unit_clusters_;
  cached_unit_ = ~0ULL;
  std::vector<std::byte> stored;  // the clusters of this unit that hold data, in VCN order
  try {
    cached_bytes_.assign(unit_bytes, std::byte{0});
    stored.reserve(unit_bytes);
  } catch (const std::bad_alloc&) {
    throw OutOfMemoryError(fmt::format("{}: compression unit {}: cannot allocate {} bytes (out of memory)", name_,
                                       index, 2 * unit_bytes), Location{name_, std::nullopt});
  }

  std::uint64_t stored_clusters = 0;
  const std::uint64_t mapped_end = runs_.empty() ? 0 : runs_.back().vcn + runs_.back().length;
  for (std::uint64_t vcn = first_vcn; vcn < std::min(end_vcn, mapped_end);) {
    const Run& run = runs_[run_index(vcn)];
    const std::uint64_t count = std::min(end_vcn, run.vcn + run.length) - vcn;
    if (!run.sparse()) {
      const std::size_t at = stored.size();
      stored.resize(at + count * cluster_size);
      volume_->read((*run.lcn + (vcn - run.vcn)) * cluster_size,
                    std::span(stored).subspan(at));
      stored_clusters += count;
    }
    vcn += count;
  }
  if (stored_clusters == compression_unit_clusters_) {
    cached_bytes_ = std::move(stored);  // a unit that did not compress is stored as is
  } else if (stored_clusters != 0) {
    try {
      lznt1_decompress(stored, cached_bytes_);
    } catch (const FormatError& error) {
      throw FormatError(fmt::format("{}: compression unit {} (VCN {}): {}", name_, index,
                                    first_vcn, error.what()), Location{name_, std::nullopt});
    }
  }
  cached_unit_ = index;
  return cached_bytes_;
}

void Stream::read_compressed(std::uint64_t offset, std::span<std::byte> buffer) const {
  const std::uint64_t unit_bytes = compression_unit_clusters_ * geometry_.cluster_size;
  const std::lock_guard lock(cache_mutex_);
  while (!buffer.empty()) {
    const std::uint64_t index = offset / unit_bytes;
    const std::uint64_t within = offset % unit_bytes;
    const std::vector<std::byte>& unit = compression_unit(index);
    const std::size_t piece =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), unit_bytes - within));
    std::copy_n(unit.begin() + static_cast<std::ptrdiff_t>(within), piece, buffer.begin());
    buffer = buffer.subspan(piece);
    offset += piece;
  }
}

}  // namespace diskimg::ntfs
