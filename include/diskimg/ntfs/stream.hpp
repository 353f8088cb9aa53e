/// @file
/// The bytes of one attribute, resident or nonresident, sparse or LZNT1-compressed, joined
/// over all its extents: a byte source, so it can be read at any offset without loading it.
#pragma once

#include <diskimg/ntfs/attribute.hpp>
#include <diskimg/source/byte_source.hpp>

#include <memory>
#include <mutex>
#include <optional>

namespace diskimg::ntfs {

/// What a stream needs to know of its volume's clusters.
struct StreamGeometry {
  std::uint32_t cluster_size = 0;    ///< bytes
  std::uint64_t total_clusters = 0;  ///< clusters the volume has
};

/// The bytes of one attribute joined over all its extents, as a byte source. Owns copies of
/// the extents' value or runs, so the Attribute objects it was made from need not outlive
/// it; shares the volume's byte source (kept alive). Reads may come from several threads at
/// once: the last decompressed compression unit is cached behind a lock, so reads of a
/// compressed stream take turns.
class Stream final : public ByteSource {
 public:
  /// Joins the extents (in VCN order) of one attribute. Throws FormatError when they leave
  /// gaps, overlap, map fewer clusters than the data size needs, or give an invalid
  /// compression unit; UnsupportedError for encrypted attributes; NotFoundError when
  /// `extents` is empty. `name` names the stream in messages.
  Stream(SourcePtr volume, StreamGeometry geometry, std::vector<const Attribute*> extents,
         std::string name);

  /// The data size: the attribute's size in bytes.
  std::uint64_t size() const override { return data_size_; }
  /// The volume's sector size.
  std::uint32_t sector_size() const override { return volume_->sector_size(); }
  /// The name given to the constructor.
  std::string name() const override { return name_; }

  /// Bytes of clusters allocated (the value's length when resident).
  std::uint64_t allocated_size() const { return allocated_size_; }
  /// Bytes written; the rest up to size() reads as zeros.
  std::uint64_t initialized_size() const { return initialized_size_; }
  /// Whether the value lies in the record itself.
  bool resident() const { return resident_; }
  /// Whether the stream is LZNT1-compressed.
  bool compressed() const { return compression_unit_clusters_ != 0; }
  /// The runs of all extents, in VCN order (empty when resident).
  const Runlist& runs() const { return runs_; }
  /// Where data may be: the first offset at or after `offset` outside the stream's holes
  /// (size() when none). Holes are sparse runs (for a compressed stream, the whole
  /// compression units they cover) and the bytes past the initialized size. Never throws.
  std::uint64_t next_data(std::uint64_t offset) const override;
  /// The first offset at or after `offset` that starts or lies in a hole (size() when none).
  /// Never throws.
  std::uint64_t next_hole(std::uint64_t offset) const override;
  /// Where the stream's byte `offset` lies on the volume; empty when it is resident, sparse,
  /// compressed or unmapped.
  std::optional<std::uint64_t> volume_offset(std::uint64_t offset) const;

 protected:
  /// Reads the value, or the clusters the runs map (sparse runs and bytes past the
  /// initialized size as zeros), decompressing compression units. Throws IoError when the
  /// volume cannot be read, FormatError for a cluster no run maps or a compression unit
  /// that does not decompress.
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  void read_mapped(std::uint64_t offset, std::span<std::byte> buffer) const;
  void read_compressed(std::uint64_t offset, std::span<std::byte> buffer) const;
  const std::vector<std::byte>& compression_unit(std::uint64_t index) const;
  std::size_t run_index(std::uint64_t vcn) const;
  void find_holes();

  SourcePtr volume_;
  StreamGeometry geometry_;
  std::string name_;
  bool resident_ = true;
  std::vector<std::byte> value_;
  Runlist runs_;
  std::uint64_t data_size_ = 0;
  std::uint64_t allocated_size_ = 0;
  std::uint64_t initialized_size_ = 0;
  std::uint64_t compression_unit_clusters_ = 0;
  // Byte ranges that read as zeros without being stored, sorted and disjoint: [first, end).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> holes_;

  // The last decompressed compression unit: sequential reads decode each unit once.
  mutable std::mutex cache_mutex_;
  mutable std::uint64_t cached_unit_ = ~0ULL;
  mutable std::vector<std::byte> cached_bytes_;
};

}  // namespace diskimg::ntfs
