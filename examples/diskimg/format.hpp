// Human-readable sizes for tables and progress lines.
#pragma once

#include <cstdint>
#include <string>

#include <diskimg/core/guid.hpp>
#include <diskimg/core/size.hpp>

namespace diskimg::tool {

// "512 B", "1.5 KiB", "40.0 GiB".
std::string human_size(std::uint64_t bytes);

// "779439b4-ce6a-11ea-8bd1-525400123456": lower case, as vshadowinfo and ldmtool print GUIDs.
std::string lower_guid(const Guid& guid);

// "1048576", "512K", "2M", "40G", "1T": the library's, shared with Python.
using diskimg::parse_size;

}  // namespace diskimg::tool
