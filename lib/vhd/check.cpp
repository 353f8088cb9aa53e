#include "core/arithmetic.hpp"
#include "core/io_bytes.hpp"
#include "core/merged_child.hpp"
#include "vhd/layout.hpp"
#include "vhd/sector_bitmap.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/writer.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace diskimg::vhd {
namespace {

// Bits for sectors past the disk's end in its last block: a writer bug, harmless to read.
void check_bitmaps(const FileSource& file, const Layout& layout, CheckReport& report) {
  const std::uint64_t block_size = layout.header->block_size;
  // The disk's last block, not the BAT's: a BAT may have more entries than the size needs.
  const std::uint64_t blocks = ceil_div(layout.footer.current_size, block_size);
  if (blocks == 0 || blocks > layout.bat.size()) return;
  const std::uint64_t last = blocks - 1;
  if (layout.bat[last] == 0xFFFFFFFF) return;
  const std::uint64_t sectors_in_last = ceil_div(layout.footer.current_size - last * block_size, 512);
  const std::vector<std::byte> bitmap =
      file.read(std::uint64_t{layout.bat[last]} * 512, layout.bitmap_bytes);
  for (std::uint64_t sector = sectors_in_last; sector < block_size / 512; ++sector) {
    if (sector_present(bitmap, sector)) {
      report.problems.emplace_back(Location{fmt::format("sector bitmap of block {}", last),
                                            std::uint64_t{layout.bat[last]} * 512},
                                   fmt::format("sector bitmap of block {} marks sector {}, past "
                                               "the disk's end", last, sector));
      return;
    }
  }
}

void check_end(const Layout& layout, CheckReport& report) {
  if (layout.footer_from_copy) return;  // already reported
  std::uint64_t end = layout.header->table_offset + std::uint64_t{layout.bat.size()} * 4;
  for (const std::uint32_t entry : layout.bat) {
    if (entry == 0xFFFFFFFF) continue;
    end = std::max(end, std::uint64_t{entry} * 512 + layout.bitmap_bytes + layout.header->block_size);
  }
  if (layout.file_size - 512 < end) {
    report.problems.emplace_back(Location{"footer", layout.file_size - 512},
                                 fmt::format("the footer at offset {:#x} lies inside the data "
                                             "(blocks end at {:#x})", layout.file_size - 512, end));
  }
}

}  // namespace

CheckReport check_vhd(const std::filesystem::path& path) {
  CheckReport report;
  try {
    const FileSource file(path);
    std::vector<Problem> problems;
    const std::optional<Layout> layout = read_layout(file, problems);
    for (const Problem& problem : problems) report.problems.emplace_back(problem.where, problem.message);
    if (!layout) return report;
    if (layout->header) {
      check_bitmaps(file, *layout, report);
      check_end(*layout, report);
    }
    if (layout->footer.type == VhdType::differencing && report.problems.empty()) {
      (void)VhdImage::open(path);  // the whole chain: locators, unique IDs, sizes
    }
  } catch (const Error& error) {
    report.problems.emplace_back(error.where(), error.what());
  }
  return report;
}

CheckReport repair_vhd(const std::filesystem::path& path) {
  VhdWriter::open_existing(path)->sync();  // opening for writing repairs the end footer
  return check_vhd(path);
}

namespace {

// The blocks a differencing disk holds, by their first byte.
std::vector<std::uint64_t> allocated_blocks(const VhdImage& child) {
  std::vector<std::uint64_t> blocks;
  const std::uint64_t block_size = child.header()->block_size;
  for (std::uint64_t offset = 0; offset < child.size(); offset += block_size) {
    if (child.block_allocated(offset)) blocks.push_back(offset);
  }
  return blocks;
}

// The parent alone must read as the chain does, in every block the child holds.
void verify_merged(const std::filesystem::path& child_path, const std::vector<std::uint64_t>& blocks) {
  const auto chain = VhdImage::open(child_path);
  const VhdImage& parent = *chain->parent();
  const std::uint64_t block_size = chain->header()->block_size;
  IoBytes expected(block_size);
  IoBytes actual(block_size);
  for (const std::uint64_t offset : blocks) {
    const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(block_size, chain->size() - offset));
    const auto chain_bytes = std::span(expected).first(length);
    const auto parent_bytes = std::span(actual).first(length);
    chain->read(offset, chain_bytes);
    parent.read(offset, parent_bytes);
    if (!std::equal(chain_bytes.begin(), chain_bytes.end(), parent_bytes.begin())) {
      throw FormatError(fmt::format("merge: {} differs from the chain at offset {:#x} after writing; {} "
                                    "was kept", parent.path().string(), offset, child_path.string()),
                        {parent.path().string(), offset});
    }
  }
}

}  // namespace

// Crash-safe by a mark in the parent's footers (VhdWriter::begin_merge): set durably before
// the first block changes and cleared after the last is durable, with the child removed
// only after that. Stopped anywhere, the parent is either as it was, or merged, or marked:
// a marked parent reads right only through the child (which still holds everything), check
// reports it, and running merge again finishes it.
void merge_into_parent(const std::filesystem::path& child_path) {
  const auto child = VhdImage::open(child_path);
  if (child->type() != VhdType::differencing) {
    throw UsageError(fmt::format("merge: {} is not a differencing disk", child_path.string()));
  }
  const CheckReport before = check_vhd(child_path);
  if (!before.ok()) {
    throw FormatError(fmt::format("merge: {} does not check clean: {}", child_path.string(),
                                  before.problems.front().what), before.problems.front().where);
  }
  const std::filesystem::path parent_path = child->parent()->path();
  const Guid child_id = child->footer().unique_id;
  const std::vector<std::uint64_t> blocks = allocated_blocks(*child);
  {
    auto parent = VhdWriter::open_existing(parent_path, child_id);
    parent->begin_merge(child_id);
    const std::uint64_t block_size = child->header()->block_size;
    IoBytes buffer(block_size);
    for (const std::uint64_t offset : blocks) {
      const auto piece = std::span(buffer).first(
          static_cast<std::size_t>(std::min<std::uint64_t>(block_size, child->size() - offset)));
      child->read(offset, piece);  // the chain's view: the child's sectors over the parent's
      parent->write(offset, piece);
    }
    parent->sync();
    verify_merged(child_path, blocks);
    parent->end_merge();
  }
  const CheckReport after = check_vhd(parent_path);
  if (!after.ok()) {
    throw FormatError(fmt::format("merge: {} no longer checks clean ({}); {} was kept",
                                  parent_path.string(), after.problems.front().what, child_path.string()),
                      after.problems.front().where);
  }
  remove_merged_child(child_path, parent_path, "vhd");
}

}  // namespace diskimg::vhd
