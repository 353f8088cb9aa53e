/// @file
/// Checking and merging VHDs: every structure of a VHD verified; a differencing disk folded
/// into its parent.
#pragma once

#include <diskimg/core/error.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace diskimg::vhd {

/// What check_vhd found. A plain value.
struct CheckReport {
  Warnings problems;   ///< each names the structure and where it is (a field too)
  /// True when nothing was found wrong.
  bool ok() const { return problems.empty(); }
};

/// Footer and its copy (cookie, checksum, agreement), dynamic header, BAT (inside the file,
/// no overlaps, entry count), sector bitmaps (no bits past the disk's end), the file's end,
/// and the parent chain (found, unique IDs, sizes). Never throws a diskimg::Error for a bad
/// or unreadable image: what is wrong, or what stopped the check, is a problem in the
/// report. Reads only.
CheckReport check_vhd(const std::filesystem::path& path);

/// Repairs what can be repaired from the file itself: an end footer that is gone or torn
/// (a writer stopped while moving it) is written back from the copy at offset 0, after the
/// last block, and whatever lies past it is cut off. Returns check_vhd's report afterwards.
/// Throws FormatError when the file cannot be opened for writing (an interrupted merge is
/// finished by merge_into_parent, not here), IoError when writing fails; the file is then
/// as it was, or has its footer back.
CheckReport repair_vhd(const std::filesystem::path& path);

/// Writes every block the child holds into its parent, checks the parent and that it now
/// reads as the chain did, and only then removes the child. Nothing else may use either
/// file meanwhile. Crash-safe: the parent is marked (FooterInfo::merging_child) in both
/// footers before its first block changes and unmarked after the last is durable; a merge
/// stopped anywhere leaves the parent old, merged, or marked, and a marked parent reads
/// right through the child and is finished by calling this again.
///
/// Throws UsageError when `child` is not a differencing disk, FormatError when the child
/// does not check clean (nothing is written then) or the parent no longer does or reads
/// differently after writing, IoError when a file cannot be read or written, and what
/// VhdImage::open throws for the chain. After a throw the child is still in place and the
/// parent is old or marked; calling this again finishes the merge. Removing the child at
/// the end throws IoError when it fails; the parent is merged then.
void merge_into_parent(const std::filesystem::path& child);

}  // namespace diskimg::vhd
