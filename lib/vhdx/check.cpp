// check_vhdx and repair_vhdx: the reader's own checks (read_layout, check_blocks) collected
// rather than thrown, what a pending log's replay would write, and the chain.
#include "vhdx/file_update.hpp"
#include "vhdx/layout.hpp"
#include "vhdx/log.hpp"
#include "vhdx/problem.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_sink.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhdx/check.hpp>
#include <diskimg/vhdx/image.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace diskimg::vhdx {
namespace {

// At most this many file ranges are named in the report of a pending log.
constexpr std::size_t max_listed_ranges = 8;

// The file ranges replay writes (sectors joined where they touch, zeroed ranges), listed.
std::string replay_ranges(const ReplayedFile& replayed) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges = replayed.zero_ranges();
  for (const auto& [offset, sector] : replayed.sectors()) {
    if (!ranges.empty() && ranges.back().second == offset) {
      ranges.back().second = offset + sector.size();
    } else {
      ranges.emplace_back(offset, offset + sector.size());
    }
  }
  std::string list;
  for (std::size_t i = 0; i < ranges.size() && i < max_listed_ranges; ++i) {
    list += fmt::format("{}{:#x}-{:#x}", i == 0 ? "" : ", ", ranges[i].first, ranges[i].second);
  }
  if (ranges.size() > max_listed_ranges) list += fmt::format(" and {} more", ranges.size() - max_listed_ranges);
  return list;
}

// This file's structures; returns whether it can be opened (no fatal problem).
bool check_layout(const std::filesystem::path& path, CheckReport& report) {
  std::vector<Problem> problems;
  std::optional<Layout> layout = read_layout(std::make_shared<FileSource>(path), problems);
  if (layout) check_blocks(*layout, problems);
  for (const Problem& problem : problems) {
    report.problems.emplace_back(in_file(path, problem.where), fmt::format("vhdx: {}: {}", path.string(), problem.message));
  }
  const bool usable = layout && std::none_of(problems.begin(), problems.end(), [](const Problem& p) { return p.fatal; });
  if (!layout || !layout->replay) return usable;
  report.pending_log = layout->replay;
  const auto* replayed = dynamic_cast<const ReplayedFile*>(layout->file.get());
  report.problems.emplace_back(
      Location{path.string() + ": log", layout->header.log_offset},
      fmt::format("vhdx: {}: not closed cleanly: its log holds {} entries not applied to the file; replaying them "
                  "writes {} sectors and zeroes {} bytes at file offsets {} (a repair applies them)",
                  path.string(), layout->replay->entries, layout->replay->sectors, layout->replay->zeroed,
                  replayed ? replay_ranges(*replayed) : std::string("?")));
  return usable;
}

}  // namespace

CheckReport check_vhdx(const std::filesystem::path& path) {
  CheckReport report;
  try {
    if (!check_layout(path, report)) return report;
    // The chain: parents found and linked (what opening checks, and the parents' own layout).
    const auto image = VhdxImage::open(path);
    for (const Warning& warning : image->warnings()) {
      const std::string& structure = warning.where.structure;
      if (structure == path.string() || structure.starts_with(path.string() + ": ")) continue;  // reported above
      report.problems.push_back(warning);
    }
  } catch (const Error& error) {
    report.problems.emplace_back(error.where(), error.what());
  }
  return report;
}

// Only the file itself is written: a child's log replays without its parent (which a
// writer opening would need), and a file marked by an interrupted merge replays too.
CheckReport repair_vhdx(const std::filesystem::path& path) {
  if (check_vhdx(path).pending_log) {
    std::vector<Problem> problems;
    const std::optional<Layout> layout = read_layout(std::make_shared<FileSource>(path), problems);
    const auto fatal = std::find_if(problems.begin(), problems.end(), [](const Problem& p) { return p.fatal; });
    if (!layout || fatal != problems.end()) {
      throw FormatError(fmt::format("vhdx: {}: not a sound VHDX to repair: {}", path.string(),
                                    fatal == problems.end() ? "unusable" : fatal->message),
                        fatal == problems.end() ? Location{path.string(), std::nullopt} : in_file(path, fatal->where));
    }
    FileSink sink(path, FileSink::Mode::open_existing);
    replay_into_file(sink, *layout, path);
  }
  return check_vhdx(path);
}

}  // namespace diskimg::vhdx
