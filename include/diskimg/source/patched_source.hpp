// Another source with some byte ranges replaced: a copy that differs from the original in
// a few structures (new disk IDs, a boot sector's hidden-sectors field) without copying it.
#pragma once

#include <diskimg/source/byte_source.hpp>

#include <vector>

namespace diskimg {

struct Patch {
  std::uint64_t offset = 0;
  std::vector<std::byte> bytes;
};

class PatchedSource final : public ByteSource {
 public:
  // Patches must lie inside `base`; later ones win where they overlap.
  PatchedSource(SourcePtr base, std::vector<Patch> patches);

  std::uint64_t size() const override { return base_->size(); }
  std::uint32_t sector_size() const override { return base_->sector_size(); }
  std::string name() const override { return base_->name(); }
  std::uint64_t next_data(std::uint64_t offset) const override;
  std::uint64_t next_hole(std::uint64_t offset) const override;

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  SourcePtr base_;
  std::vector<Patch> patches_;
};

}  // namespace diskimg
