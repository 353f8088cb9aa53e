/// @file
/// A source with one range read from another source instead: a disk whose volume is a
/// shadow copy of it, the other volumes as they are.
#pragma once

#include <diskimg/source/byte_source.hpp>

namespace diskimg {

/// `base`, except that [offset, offset + inset->size()) reads from `inset`. Shares both
/// (kept alive); reads may come from several threads at once; throws what they throw.
class SplicedSource final : public ByteSource {
 public:
  /// Throws FormatError when the inset does not fit inside `base` at `offset`.
  SplicedSource(SourcePtr base, std::uint64_t offset, SourcePtr inset);

  /// The base's size.
  std::uint64_t size() const override { return base_->size(); }
  /// The base's sector size.
  std::uint32_t sector_size() const override { return base_->sector_size(); }
  /// The base's name, with the inset's.
  std::string name() const override;
  /// The first data of the base or the inset (whichever holds that offset) after `offset`.
  std::uint64_t next_data(std::uint64_t offset) const override;
  /// Passed on to whichever holds each part of the range.
  void will_need(std::uint64_t offset, std::uint64_t length) const override;

 protected:
  /// The base's bytes around the inset, the inset's inside it.
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  SourcePtr base_;
  std::uint64_t offset_;
  SourcePtr inset_;
};

}  // namespace diskimg
