// Human-readable sizes for tables and progress lines.
#pragma once

#include <cstdint>
#include <string>

namespace diskimg::tool {

// "512 B", "1.5 KiB", "40.0 GiB".
std::string human_size(std::uint64_t bytes);

// "1048576", "512K", "2M", "40G", "1T" (powers of 1024). Throws UsageError otherwise.
std::uint64_t parse_size(const std::string& text);

}  // namespace diskimg::tool
