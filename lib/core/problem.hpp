// What an image reader finds wrong in a file's structures: fatal (the file cannot be read
// right) or not (a warning), with the structure and its offset. The VHD and VHDX readers
// stop at the first fatal one; `check` reports them all.
#pragma once

#include <diskimg/core/error.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace diskimg {

struct Problem {
  bool fatal = false;  // the image cannot be read correctly
  std::string message;
  Location where;      // the structure at fault, its offset in the file
};

// The first fatal problem; a generic one when none is marked fatal.
inline Problem first_fatal(const std::vector<Problem>& problems) {
  for (const Problem& problem : problems) {
    if (problem.fatal) return problem;
  }
  return {true, "unusable", {}};
}

// A problem's location, named with the file it lies in ("disk.vhdx: BAT entry 3").
inline Location in_file(const std::filesystem::path& path, const Location& where) {
  return {where.structure.empty() ? path.string() : path.string() + ": " + where.structure, where.offset};
}

}  // namespace diskimg
