// Making a new image file: the permissions it gets, and nothing left behind when its
// creation fails. Shared by the VHD and VHDX writers.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

namespace diskimg {

// The permissions asked for; failing that, for a differencing image, its parent's: a child
// holds changes to its parent's bytes, so no one who may not read the parent may read it.
inline std::optional<std::filesystem::perms> image_permissions(std::optional<std::filesystem::perms> asked,
                                                               bool differencing,
                                                               const std::filesystem::path& parent) {
  if (asked || !differencing) return asked;
  return std::filesystem::status(parent).permissions() & std::filesystem::perms::all;
}

// Returns what `fill(made)` returns; `made` is a sink on the file `path` that the caller has
// just made (it did not exist). When `fill` throws, the file is removed first: a creation
// that fails leaves nothing behind. (A file that could not be made is never removed: its
// error is the caller's, before this is called.)
template <class Sink, class Fill>
auto fill_made_file(const std::filesystem::path& path, std::unique_ptr<Sink> made, Fill fill) {
  try {
    return fill(std::move(made));
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    throw;
  }
}

}  // namespace diskimg
