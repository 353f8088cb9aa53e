#include "ldm/volume_sources.hpp"

#include <diskimg/core/error.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace diskimg::ldm {
namespace {

std::uint32_t sector_size_of(const std::vector<SourcePtr>& parts) {
  for (const SourcePtr& part : parts) {
    if (part) return part->sector_size();
  }
  return 512;
}

// Shared by the layouts: the member sources (parts, plexes or columns, in order; a missing
// one is null), a name, a size and the logical sector size of the members.
class AssembledSource : public ByteSource {
 public:
  AssembledSource(std::vector<SourcePtr> members, std::uint64_t size, std::string name)
      : members_(std::move(members)), size_(size), sector_size_(sector_size_of(members_)),
        name_(std::move(name)) {}
  std::uint64_t size() const override { return size_; }
  std::uint32_t sector_size() const override { return sector_size_; }
  std::string name() const override { return name_; }

 protected:
  const std::vector<SourcePtr> members_;

 private:
  std::uint64_t size_;
  std::uint32_t sector_size_;
  std::string name_;
};

class Concatenated final : public AssembledSource {
 public:
  using AssembledSource::AssembledSource;

  void will_need(std::uint64_t offset, std::uint64_t length) const override {
    std::uint64_t start = 0;
    for (const SourcePtr& part : members_) {
      const std::uint64_t end = start + part->size();
      if (offset < end && length > 0) {
        const std::uint64_t piece = std::min(length, end - offset);
        part->will_need(offset - start, piece);
        offset += piece;
        length -= piece;
      }
      start = end;
    }
  }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    std::uint64_t start = 0;
    for (const SourcePtr& part : members_) {
      const std::uint64_t end = start + part->size();
      if (offset < end && !buffer.empty()) {
        const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), end - offset));
        part->read(offset - start, buffer.first(length));
        buffer = buffer.subspan(length);
        offset += length;
      }
      start = end;
    }
  }
};

// Columns read chunk by chunk: what striped and RAID-5 volumes share. The walk over the
// chunks is here; each layout says where a chunk lies (read_chunk).
class Chunked : public AssembledSource {
 public:
  Chunked(std::vector<SourcePtr> columns, std::uint64_t stripe_size, std::uint64_t size, std::string name)
      : AssembledSource(std::move(columns), size, std::move(name)), stripe_size_(stripe_size) {}

  // Each chunk's column is told: a range over several columns reaches every disk, so the
  // disks read ahead side by side.
  void will_need(std::uint64_t offset, std::uint64_t length) const final {
    if (offset >= size()) return;
    length = std::min(length, size() - offset);
    while (length > 0) {
      const std::uint64_t within = offset % stripe_size_;
      const std::uint64_t piece = std::min(length, stripe_size_ - within);
      hint_chunk(offset / stripe_size_, within, piece);
      offset += piece;
      length -= piece;
    }
  }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const final {
    while (!buffer.empty()) {
      const std::uint64_t within = offset % stripe_size_;
      const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), stripe_size_ - within));
      read_chunk(offset / stripe_size_, within, buffer.first(length));
      buffer = buffer.subspan(length);
      offset += length;
    }
  }
  // Reads `piece`, which starts `within` bytes into the volume's chunk number `chunk`.
  virtual void read_chunk(std::uint64_t chunk, std::uint64_t within, std::span<std::byte> piece) const = 0;
  // Passes on will_need for `length` bytes from `within` bytes into chunk number `chunk`.
  virtual void hint_chunk(std::uint64_t chunk, std::uint64_t within, std::uint64_t length) const = 0;

  std::uint64_t stripe_size_;
};

class Striped final : public Chunked {
 public:
  using Chunked::Chunked;

 protected:
  void read_chunk(std::uint64_t chunk, std::uint64_t within, std::span<std::byte> piece) const override {
    const std::uint64_t n = members_.size();
    members_[chunk % n]->read(chunk / n * stripe_size_ + within, piece);
  }
  void hint_chunk(std::uint64_t chunk, std::uint64_t within, std::uint64_t length) const override {
    const std::uint64_t n = members_.size();
    members_[chunk % n]->will_need(chunk / n * stripe_size_ + within, length);
  }
};

class Mirrored final : public AssembledSource {
 public:
  using AssembledSource::AssembledSource;

  // The plex reads go to first.
  void will_need(std::uint64_t offset, std::uint64_t length) const override {
    for (const SourcePtr& plex : members_) {
      if (plex) {
        plex->will_need(offset, length);
        return;
      }
    }
  }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    std::string failures;
    for (const SourcePtr& plex : members_) {
      if (!plex) continue;
      try {
        plex->read(offset, buffer);
        return;
      } catch (const IoError& error) {
        failures += std::string(failures.empty() ? "" : "; ") + error.what();
      }
    }
    throw IoError(fmt::format("{}: no plex could be read at offset {:#x}: {}", name(), offset, failures),
                  {name(), offset});
  }
};

class Raid5 final : public Chunked {
 public:
  using Chunked::Chunked;

 protected:
  // The chunk's column, or every other column when it is missing (they rebuild it).
  void hint_chunk(std::uint64_t chunk, std::uint64_t within, std::uint64_t length) const override {
    const auto [column, row] = place_of(chunk);
    for (std::uint64_t c = 0; c < members_.size(); ++c) {
      if (members_[c] && (c == column || !members_[column])) members_[c]->will_need(row * stripe_size_ + within, length);
    }
  }
  // The column and row of a data chunk: each row's parity is one column left of the row
  // before's, starting at the last column, and the row's data chunks follow it, wrapping.
  std::pair<std::uint64_t, std::uint64_t> place_of(std::uint64_t chunk) const {
    const std::uint64_t n = members_.size();
    const std::uint64_t row = chunk / (n - 1);
    const std::uint64_t parity = (n - 1) - row % n;
    return {(parity + 1 + chunk % (n - 1)) % n, row};
  }

  void read_chunk(std::uint64_t chunk, std::uint64_t within, std::span<std::byte> piece) const override {
    const std::uint64_t n = members_.size();
    const auto [column, row] = place_of(chunk);
    const std::uint64_t at = row * stripe_size_ + within;
    if (members_[column]) {
      members_[column]->read(at, piece);
      return;
    }
    // Rebuild from the others, parity included.
    std::fill(piece.begin(), piece.end(), std::byte{0});
    std::vector<std::byte> other(piece.size());
    for (std::uint64_t c = 0; c < n; ++c) {
      if (c == column) continue;
      members_[c]->read(at, other);
      for (std::size_t i = 0; i < piece.size(); ++i) piece[i] ^= other[i];
    }
  }
};

std::uint64_t shortest(const std::vector<SourcePtr>& parts) {
  std::uint64_t size = UINT64_MAX;
  for (const SourcePtr& part : parts) {
    if (part) size = std::min(size, part->size());
  }
  return size == UINT64_MAX ? 0 : size;
}

}  // namespace

SourcePtr concatenate(std::vector<SourcePtr> parts, std::string name) {
  if (parts.size() == 1) return parts.front();
  std::uint64_t size = 0;
  for (const SourcePtr& part : parts) size += part->size();
  return std::make_shared<Concatenated>(std::move(parts), size, std::move(name));
}

SourcePtr stripe(std::vector<SourcePtr> columns, std::uint64_t stripe_size, std::uint64_t size, std::string name) {
  if (stripe_size == 0) throw FormatError(name + ": stripe size of zero", {name, std::nullopt});
  if (size > shortest(columns) / stripe_size * stripe_size * columns.size()) {
    throw FormatError(fmt::format("{}: {} bytes do not fit {} columns of {} bytes", name, size, columns.size(),
                                  shortest(columns)), {name, std::nullopt});
  }
  return std::make_shared<Striped>(std::move(columns), stripe_size, size, std::move(name));
}

SourcePtr mirror(std::vector<SourcePtr> plexes, std::uint64_t size, std::string name) {
  if (size > shortest(plexes)) {
    throw FormatError(fmt::format("{}: {} bytes do not fit plexes of {} bytes", name, size, shortest(plexes)), {name, std::nullopt});
  }
  return std::make_shared<Mirrored>(std::move(plexes), size, std::move(name));
}

SourcePtr raid5(std::vector<SourcePtr> columns, std::uint64_t stripe_size, std::uint64_t size, std::string name) {
  if (stripe_size == 0) throw FormatError(name + ": stripe size of zero", {name, std::nullopt});
  if (columns.size() < 3) throw FormatError(fmt::format("{}: RAID-5 with {} columns", name, columns.size()), {name, std::nullopt});
  if (std::count(columns.begin(), columns.end(), nullptr) > 1) {
    throw FormatError(name + ": more than one RAID-5 column missing", {name, std::nullopt});
  }
  if (size > shortest(columns) / stripe_size * stripe_size * (columns.size() - 1)) {
    throw FormatError(fmt::format("{}: {} bytes do not fit {} columns of {} bytes with parity", name, size,
                                  columns.size(), shortest(columns)), {name, std::nullopt});
  }
  return std::make_shared<Raid5>(std::move(columns), stripe_size, size, std::move(name));
}

}  // namespace diskimg::ldm
