// Paths a differencing disk records for its parent (VHD locators, VHDX parent locator
// entries), turned into paths to try on this system.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace diskimg {

// A Windows path as a path here: the "\\?\" prefix gone, backslashes become slashes
// ("C:\images\base.vhd" stays rooted in "C:"; ".\base.vhd" becomes "./base.vhd").
inline std::filesystem::path from_windows(std::string text) {
  if (text.rfind("\\\\?\\", 0) == 0) text = text.substr(4);
  std::replace(text.begin(), text.end(), '\\', '/');
  return text;
}

// `candidates` without repeats (compared as absolute normal paths), in their first order:
// locators often name the same file several ways, and the list of what was tried should
// name each once.
inline std::vector<std::filesystem::path> without_repeats(const std::vector<std::filesystem::path>& candidates) {
  const auto normal = [](const std::filesystem::path& path) {
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(path, error);
    return (error ? path : absolute).lexically_normal();
  };
  std::vector<std::filesystem::path> unique;
  std::vector<std::filesystem::path> seen;
  for (const std::filesystem::path& candidate : candidates) {
    const std::filesystem::path key = normal(candidate);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    unique.push_back(candidate);
  }
  return unique;
}

}  // namespace diskimg
