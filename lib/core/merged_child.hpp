// The last step of a merge into a parent, VHD or VHDX alike: the child, whose blocks the
// parent now holds, is removed.
#pragma once

#include <diskimg/core/error.hpp>

#include <filesystem>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

namespace diskimg {

// Removes `child`. Throws IoError naming both files when it cannot (the parent is merged
// all the same, and reads as the chain did); `format` ("vhd", "vhdx") starts the message.
inline void remove_merged_child(const std::filesystem::path& child, const std::filesystem::path& parent,
                                std::string_view format) {
  std::error_code error;
  if (!std::filesystem::remove(child, error) || error) {
    throw IoError(fmt::format("{}: {} is merged into {}, but removing it failed: {}", format, child.string(),
                              parent.string(), error ? error.message() : "it is gone"),
                  {child.string(), std::nullopt});
  }
}

}  // namespace diskimg
