/// @file
/// A window [offset, offset + size) of another source: a partition of a disk, a volume.
#pragma once

#include <diskimg/source/byte_source.hpp>

namespace diskimg {

/// A window [offset, offset + size) of another source: a partition of a disk, a volume.
/// Shares the parent (kept alive); reads may come from several threads at once.
class SliceSource final : public ByteSource {
 public:
  /// The window of `parent` at `offset`, `size` bytes long, called `name` in messages.
  /// Throws FormatError when the window does not lie inside `parent`.
  SliceSource(SourcePtr parent, std::uint64_t offset, std::uint64_t size, std::string name);

  /// The window's size.
  std::uint64_t size() const override { return size_; }
  /// The parent's sector size.
  std::uint32_t sector_size() const override { return parent_->sector_size(); }
  /// The name given to the constructor.
  std::string name() const override { return name_; }
  /// Where the window starts in the parent, in bytes.
  std::uint64_t offset() const { return offset_; }
  /// The source the window lies in.
  const SourcePtr& parent() const { return parent_; }
  /// The parent's answer, moved into the window.
  std::uint64_t next_data(std::uint64_t offset) const override;
  /// The parent's answer, moved into the window.
  std::uint64_t next_hole(std::uint64_t offset) const override;
  /// The parent's, moved out of the window (clipped to it).
  void will_need(std::uint64_t offset, std::uint64_t length) const override;

 protected:
  /// Reads the parent at the same place plus the window's offset; throws what it throws.
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  SourcePtr parent_;
  std::uint64_t offset_;
  std::uint64_t size_;
  std::string name_;
};

}  // namespace diskimg
