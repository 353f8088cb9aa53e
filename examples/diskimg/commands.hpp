// The subcommands of the diskimg tool. Each adds itself to the application; its callback
// does the work and leaves the exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace diskimg::tool {

inline int exit_code = 0;

void add_inspect_command(CLI::App& app);
void add_ntfs_commands(CLI::App& app);
void add_vhd_commands(CLI::App& app);
void add_usedmap_command(CLI::App& app);
void add_convert_command(CLI::App& app);

}  // namespace diskimg::tool
