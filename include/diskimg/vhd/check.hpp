// `diskimg check` and `diskimg merge`: every structure of a VHD verified; a differencing
// disk folded into its parent.
#pragma once

#include <diskimg/core/error.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace diskimg::vhd {

struct CheckReport {
  Warnings problems;   // each names the structure and where it is (a field too)
  bool ok() const { return problems.empty(); }
};

// Footer and its copy (cookie, checksum, agreement), dynamic header, BAT (inside the file,
// no overlaps, entry count), sector bitmaps (no bits past the disk's end), the file's end,
// and the parent chain (found, unique IDs, sizes). Never throws for a bad image.
CheckReport check_vhd(const std::filesystem::path& path);

// Repairs what can be repaired from the file itself: an end footer that is gone or torn
// (a writer stopped while moving it) is written back from the copy at offset 0, after the
// last block, and whatever lies past it is cut off. Returns check_vhd's report afterwards.
// Throws FormatError when the file cannot be opened for writing (an interrupted merge is
// finished by merge_into_parent, not here), IoError when writing fails.
CheckReport repair_vhd(const std::filesystem::path& path);

// Writes every block the child holds into its parent, checks the parent and that it now
// reads as the chain did, and only then removes the child. Throws on any failure, with
// the child left in place.
void merge_into_parent(const std::filesystem::path& child);

}  // namespace diskimg::vhd
