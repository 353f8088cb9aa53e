#include <diskimg/core/error.hpp>
#include <diskimg/source/patched_source.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace diskimg {

PatchedSource::PatchedSource(SourcePtr base, std::vector<Patch> patches)
    : base_(std::move(base)), patches_(std::move(patches)) {
  for (const Patch& patch : patches_) {
    if (patch.offset > base_->size() || patch.bytes.size() > base_->size() - patch.offset) {
      throw FormatError(fmt::format("{}: patch of {} bytes at offset {:#x} lies outside it",
                                    base_->name(), patch.bytes.size(), patch.offset),
                        {base_->name(), patch.offset});
    }
  }
}

void PatchedSource::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  base_->read(offset, buffer);
  const std::uint64_t end = offset + buffer.size();
  for (const Patch& patch : patches_) {
    const std::uint64_t patch_end = patch.offset + patch.bytes.size();
    if (patch_end <= offset || patch.offset >= end) continue;
    const std::uint64_t from = std::max(patch.offset, offset);
    const std::uint64_t to = std::min(patch_end, end);
    std::copy(patch.bytes.begin() + static_cast<std::ptrdiff_t>(from - patch.offset),
              patch.bytes.begin() + static_cast<std::ptrdiff_t>(to - patch.offset),
              buffer.begin() + static_cast<std::ptrdiff_t>(from - offset));
  }
}

// A patch is data, wherever the base has a hole.
std::uint64_t PatchedSource::next_data(std::uint64_t offset) const {
  std::uint64_t next = base_->next_data(offset);
  for (const Patch& patch : patches_) {
    const std::uint64_t patch_end = patch.offset + patch.bytes.size();
    if (patch_end > offset) next = std::min(next, std::max(patch.offset, offset));
  }
  return next;
}

std::uint64_t PatchedSource::next_hole(std::uint64_t offset) const {
  std::uint64_t hole = base_->next_hole(offset);
  bool moved = true;
  while (moved) {  // a hole that a patch covers is no hole
    moved = false;
    for (const Patch& patch : patches_) {
      const std::uint64_t patch_end = patch.offset + patch.bytes.size();
      if (patch.offset <= hole && hole < patch_end) {
        hole = std::max(base_->next_hole(patch_end), patch_end);
        moved = true;
      }
    }
  }
  return std::min(hole, size());
}

}  // namespace diskimg
