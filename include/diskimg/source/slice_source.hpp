// A window [offset, offset + size) of another source: a partition of a disk, a volume.
#pragma once

#include <diskimg/source/byte_source.hpp>

namespace diskimg {

class SliceSource final : public ByteSource {
 public:
  // Throws FormatError when the window does not lie inside `parent`.
  SliceSource(SourcePtr parent, std::uint64_t offset, std::uint64_t size, std::string name);

  std::uint64_t size() const override { return size_; }
  std::uint32_t sector_size() const override { return parent_->sector_size(); }
  std::string name() const override { return name_; }
  std::uint64_t offset() const { return offset_; }
  const SourcePtr& parent() const { return parent_; }
  std::uint64_t next_data(std::uint64_t offset) const override;
  std::uint64_t next_hole(std::uint64_t offset) const override;

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  SourcePtr parent_;
  std::uint64_t offset_;
  std::uint64_t size_;
  std::string name_;
};

}  // namespace diskimg
