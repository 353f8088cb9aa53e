// A column (or plex) of a volume computed from the volume's bytes, then spliced into each
// member disk where its extents lie. The chunk arithmetic is volume_sources.cpp's, read the
// other way: column k's chunk at row r is the volume's chunk r * n + k (striped), or for
// RAID-5 the parity of row r when k is its parity column, else its data chunk
// (k - parity - 1) mod n.
#include <diskimg/core/error.hpp>
#include <diskimg/ldm/volume_on_disk.hpp>
#include <diskimg/source/slice_source.hpp>
#include <diskimg/source/spliced_source.hpp>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace diskimg::ldm {
namespace {

class ColumnOfVolume final : public ByteSource {
 public:
  ColumnOfVolume(SourcePtr volume, VolumeLayout layout, unsigned columns, std::uint64_t stripe, unsigned column,
                 std::uint64_t size, std::string name)
      : volume_(std::move(volume)), layout_(layout), columns_(columns), stripe_(stripe), column_(column),
        size_(size), name_(std::move(name)) {}

  std::uint64_t size() const override { return size_; }
  std::uint32_t sector_size() const override { return volume_->sector_size(); }
  std::string name() const override { return name_; }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override {
    if (columns_ <= 1) {  // simple, spanned, a plex of a mirror: the column is the volume
      read_volume(offset, buffer);
      return;
    }
    while (!buffer.empty()) {
      const std::uint64_t row = offset / stripe_;
      const std::uint64_t within = offset % stripe_;
      const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), stripe_ - within));
      read_chunk(row, within, buffer.first(length));
      buffer = buffer.subspan(length);
      offset += length;
    }
  }

 private:
  // Row `row` of this column, from `within` on.
  void read_chunk(std::uint64_t row, std::uint64_t within, std::span<std::byte> out) const {
    const std::uint64_t n = columns_;
    if (layout_ != VolumeLayout::raid5) {
      read_volume((row * n + column_) * stripe_ + within, out);
      return;
    }
    const std::uint64_t parity = (n - 1) - row % n;
    if (column_ != parity) {
      read_volume((row * (n - 1) + (column_ + n - parity - 1) % n) * stripe_ + within, out);
      return;
    }
    std::fill(out.begin(), out.end(), std::byte{0});
    std::vector<std::byte> data(out.size());
    for (std::uint64_t chunk = 0; chunk + 1 < n; ++chunk) {
      read_volume((row * (n - 1) + chunk) * stripe_ + within, data);
      for (std::size_t i = 0; i < out.size(); ++i) out[i] ^= data[i];
    }
  }

  // The volume's bytes; past its end (a column's last row may reach beyond it), zeros.
  void read_volume(std::uint64_t offset, std::span<std::byte> out) const {
    const std::uint64_t end = volume_->size();
    const auto inside = static_cast<std::size_t>(offset >= end ? 0 : std::min<std::uint64_t>(out.size(), end - offset));
    if (inside > 0) volume_->read(offset, out.first(inside));
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(inside), out.end(), std::byte{0});
  }

  SourcePtr volume_;
  VolumeLayout layout_;
  unsigned columns_;
  std::uint64_t stripe_;
  unsigned column_;
  std::uint64_t size_;
  std::string name_;
};

}  // namespace

SourcePtr disk_with_volume_bytes(SourcePtr disk, const std::string& disk_name, const GroupVolume& volume,
                                 SourcePtr bytes) {
  const Location where{fmt::format("LDM volume {}", volume.name), std::nullopt};
  if (bytes->size() != volume.size) {
    throw FormatError(fmt::format("ldm: {} holds {} bytes, volume {} {}", bytes->name(), bytes->size(), volume.name,
                                  volume.size), where);
  }
  const bool chunked = volume.layout == VolumeLayout::striped || volume.layout == VolumeLayout::raid5;
  if (chunked && (volume.stripe_size == 0 || volume.columns < (volume.layout == VolumeLayout::raid5 ? 3u : 2u))) {
    throw FormatError(fmt::format("ldm: volume {}: {} columns of stripe size {} cannot be laid out", volume.name,
                                  volume.columns, volume.stripe_size), where);
  }
  SourcePtr result = std::move(disk);
  for (const Extent& extent : volume.extents) {
    if (extent.disk != disk_name) continue;
    const auto column = std::make_shared<ColumnOfVolume>(
        bytes, volume.layout, chunked ? volume.columns : 1, volume.stripe_size, extent.column,
        extent.volume_offset + extent.size,
        fmt::format("column {} of {}", extent.column, bytes->name()));
    // SplicedSource refuses an extent that does not fit the disk.
    result = std::make_shared<SplicedSource>(
        result, extent.disk_offset,
        std::make_shared<SliceSource>(column, extent.volume_offset, extent.size,
                                      fmt::format("{} as {} on {}", bytes->name(), extent.name, disk_name)));
  }
  return result;
}

}  // namespace diskimg::ldm
