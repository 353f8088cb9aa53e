// The bytes of one attribute, resident or nonresident, sparse or LZNT1-compressed, joined
// over all its extents: a byte source, so it can be read at any offset without loading it.
#pragma once

#include <diskimg/ntfs/attribute.hpp>
#include <diskimg/source/byte_source.hpp>

#include <memory>
#include <mutex>
#include <optional>

namespace diskimg::ntfs {

struct StreamGeometry {
  std::uint32_t cluster_size = 0;
  std::uint64_t total_clusters = 0;
};

class Stream final : public ByteSource {
 public:
  // Joins the extents (in VCN order) of one attribute. Throws FormatError when they leave
  // gaps, overlap, or map fewer clusters than the data size needs; UnsupportedError for
  // encrypted attributes.
  Stream(SourcePtr volume, StreamGeometry geometry, std::vector<const Attribute*> extents,
         std::string name);

  std::uint64_t size() const override { return data_size_; }
  std::uint32_t sector_size() const override { return volume_->sector_size(); }
  std::string name() const override { return name_; }

  std::uint64_t allocated_size() const { return allocated_size_; }
  std::uint64_t initialized_size() const { return initialized_size_; }
  bool resident() const { return resident_; }
  bool compressed() const { return compression_unit_clusters_ != 0; }
  const Runlist& runs() const { return runs_; }
  // Where the stream's byte `offset` lies on the volume; empty when it is resident, sparse,
  // compressed or unmapped.
  std::optional<std::uint64_t> volume_offset(std::uint64_t offset) const;

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  void read_mapped(std::uint64_t offset, std::span<std::byte> buffer) const;
  void read_compressed(std::uint64_t offset, std::span<std::byte> buffer) const;
  const std::vector<std::byte>& compression_unit(std::uint64_t index) const;
  std::size_t run_index(std::uint64_t vcn) const;

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

  // The last decompressed compression unit: sequential reads decode each unit once.
  mutable std::mutex cache_mutex_;
  mutable std::uint64_t cached_unit_ = ~0ULL;
  mutable std::vector<std::byte> cached_bytes_;
};

}  // namespace diskimg::ntfs
