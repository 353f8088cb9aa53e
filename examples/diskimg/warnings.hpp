// Warnings as the tool shows them: on stderr, and as plain messages in JSON outputs.
#pragma once

#include <diskimg/core/error.hpp>

#include <string>
#include <vector>

namespace diskimg::tool {

// Each warning on stderr as "diskimg: warning: MESSAGE".
void print_warnings(const Warnings& warnings);

// The warnings' messages, as the JSON outputs list them.
std::vector<std::string> messages(const Warnings& warnings);

}  // namespace diskimg::tool
