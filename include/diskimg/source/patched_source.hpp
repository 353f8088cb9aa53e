/// @file
/// Another source with some byte ranges replaced: a copy that differs from the original in
/// a few structures (new disk IDs, a boot sector's hidden-sectors field) without copying it.
#pragma once

#include <diskimg/source/byte_source.hpp>

#include <vector>

namespace diskimg {

/// Bytes that replace those at `offset` of a source.
struct Patch {
  std::uint64_t offset = 0;      ///< bytes from the start of the source
  std::vector<std::byte> bytes;  ///< what reads there instead
};

/// Another source with some byte ranges replaced. Shares the base source (kept alive) and
/// owns the patches; neither changes, so reads may come from several threads at once.
class PatchedSource final : public ByteSource {
 public:
  /// Patches must lie inside `base`; later ones win where they overlap. Throws FormatError
  /// naming the first patch that does not fit.
  PatchedSource(SourcePtr base, std::vector<Patch> patches);

  /// The base's size.
  std::uint64_t size() const override { return base_->size(); }
  /// The base's sector size.
  std::uint32_t sector_size() const override { return base_->sector_size(); }
  /// The base's name.
  std::string name() const override { return base_->name(); }
  /// The base's answer, or the start of a patch before it: a patch is data wherever the
  /// base has a hole.
  std::uint64_t next_data(std::uint64_t offset) const override;
  /// The base's next hole that no patch covers.
  std::uint64_t next_hole(std::uint64_t offset) const override;
  /// The base's.
  void will_need(std::uint64_t offset, std::uint64_t length) const override { base_->will_need(offset, length); }

 protected:
  /// Reads the base, then copies the patches over it; throws what the base throws.
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  SourcePtr base_;
  std::vector<Patch> patches_;
};

}  // namespace diskimg
