// merge_vhdx_into_parent: a differencing VHDX's blocks written into its parent, crash-safe
// through the parent's DataWriteGuid (merge_marker.hpp) and the child, which is removed last.
#include "core/io_bytes.hpp"
#include "core/merged_child.hpp"
#include "vhdx/merge_marker.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vhdx/check.hpp>
#include <diskimg/vhdx/image.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace diskimg::vhdx {
namespace {

constexpr std::uint64_t piece_size = 1 << 20;

// Calls `visit(offset, length)` for each piece (at most a MiB) of the blocks the child
// decides (holds, or marks zero or unmapped: those become zeros in the parent).
template <class Visit>
void for_each_child_piece(const VhdxImage& child, Visit visit) {
  const std::uint64_t block = child.metadata().block_size;
  for (std::uint64_t start = 0; start < child.size(); start += block) {
    if (!child.block_decided(start)) continue;
    const std::uint64_t end = std::min(child.size(), start + block);
    for (std::uint64_t at = start; at < end; at += piece_size) visit(at, std::min(piece_size, end - at));
  }
}

// The chain's bytes of every block the child holds, written into the parent between the
// two markers, and read back before the second.
void write_into_parent(const VhdxImage& child, const std::filesystem::path& parent_path, const Guid& marker,
                       const Guid& merged) {
  const auto parent = VhdxWriter::open_existing(parent_path, marker);
  // From here on the parent reads right only through the child, until end_merge.
  parent->begin_merge(marker);
  IoBytes buffer(piece_size);
  for_each_child_piece(child, [&](std::uint64_t offset, std::uint64_t length) {
    const auto piece = std::span(buffer).first(static_cast<std::size_t>(length));
    child.read(offset, piece);
    parent->write(offset, piece);
  });
  parent->commit();
  IoBytes written(piece_size);
  for_each_child_piece(child, [&](std::uint64_t offset, std::uint64_t length) {
    const auto expected = std::span(buffer).first(static_cast<std::size_t>(length));
    const auto got = std::span(written).first(static_cast<std::size_t>(length));
    child.read(offset, expected);
    parent->read(offset, got);
    if (!std::equal(expected.begin(), expected.end(), got.begin())) {
      throw FormatError(fmt::format("vhdx: merge of {} into {}: the parent reads otherwise than the chain at guest "
                                    "offset {:#x} after writing; the child is kept",
                                    child.path().string(), parent_path.string(), offset),
                        {parent_path.string(), std::nullopt});
    }
  });
  parent->end_merge(merged);
  parent->close();
}

}  // namespace

void merge_vhdx_into_parent(const std::filesystem::path& child_path) {
  const auto child = VhdxImage::open(child_path);
  if (child->type() != VhdxType::differencing) {
    throw UsageError(fmt::format("vhdx: {} is not a differencing disk: there is nothing to merge", child_path.string()));
  }
  if (child->replay()) {
    throw FormatError(fmt::format("vhdx: {} was not closed cleanly: repair it first (replaying its log)",
                                  child_path.string()),
                      {child_path.string() + ": log", std::nullopt});
  }
  const std::filesystem::path parent_path = child->chain().at(1);
  const Guid merged = merged_marker(child->header().data_write_guid);
  if (child->parent()->header().data_write_guid != merged) {
    write_into_parent(*child, parent_path, merge_marker(child->header().data_write_guid), merged);
  } else if (child->parent()->replay()) {
    // Stopped after writing every block, before the parent was closed: its log applied.
    VhdxWriter::open_existing(parent_path)->close();
  }
  remove_merged_child(child_path, parent_path, "vhdx");
}

}  // namespace diskimg::vhdx
