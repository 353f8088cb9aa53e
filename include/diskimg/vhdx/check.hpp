/// @file
/// Checking a VHDX: every structure verified, a log left by an unclean close reported with
/// what replaying it would change, and repaired by replaying it into the file; merging a
/// differencing VHDX into its parent.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/vhdx/vhdx.hpp>

#include <filesystem>
#include <optional>

namespace diskimg::vhdx {

/// What check_vhdx found. A plain value.
struct CheckReport {
  Warnings problems;   ///< each names the structure and where it is
  /// A log not yet applied to the file (the file was not closed cleanly): what replaying
  /// it does. Also a problem: the file reads right only to readers that replay it.
  std::optional<LogReplayInfo> pending_log;
  /// True when nothing was found wrong.
  bool ok() const { return problems.empty(); }
};

/// File identifier, both headers, both region tables, the metadata, the BAT (every block
/// inside the file, no overlaps, states allowed for the disk's type), the log (a pending
/// log and the file ranges its replay would write), and the parent chain (found, linked by
/// DataWriteGuid, same size and sectors). Never throws a diskimg::Error for a bad or
/// unreadable image: what is wrong, or what stopped the check, is a problem in the report.
/// Reads only.
CheckReport check_vhdx(const std::filesystem::path& path);

/// Replays a pending log into the file, as [MS-VHDX] requires before anything else changes
/// (what any write opening does), and marks the file clean. Writes only this file: a
/// differencing disk's log replays without its parent. Returns check_vhdx's report
/// afterwards. Throws FormatError when the file has problems that make it unsafe to write,
/// IoError when writing fails: replay may be repeated, so the file is then as before or
/// replayed, and reads the same either way.
CheckReport repair_vhdx(const std::filesystem::path& path);

/// Writes every block the differencing `child` holds into its parent (as the chain reads
/// it), checks that the parent now reads as the chain did, and only then removes the child.
/// Nothing else may use either file meanwhile. Crash-safe: before its first change the
/// parent's DataWriteGuid becomes a marker naming the child (which other readers see as a
/// parent written to since); a merge stopped anywhere leaves the parent old, merged, or
/// marked, a marked parent reads right through the child and is refused alone (check says
/// why), and calling this again finishes the merge.
///
/// Throws UsageError when `child` is not a differencing disk, FormatError when the child
/// was not closed cleanly or the parent reads otherwise than the chain after writing,
/// IoError when a file cannot be read or written or the child cannot be removed (the
/// parent is merged then), and what VhdxImage::open throws for the chain.
void merge_vhdx_into_parent(const std::filesystem::path& child);

}  // namespace diskimg::vhdx
