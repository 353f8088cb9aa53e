// Human-readable sizes for tables and progress lines.
#pragma once

#include <cstdint>
#include <string>

namespace diskimg::tool {

// "512 B", "1.5 KiB", "40.0 GiB".
std::string human_size(std::uint64_t bytes);

}  // namespace diskimg::tool
