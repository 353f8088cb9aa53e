// The subcommands of the diskimg tool. Each adds itself to the application; its callback
// does the work and leaves the exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace diskimg::tool {

inline int exit_code = 0;

// The exit statuses every command shares (docs/interface.md), shown under --help.
inline constexpr const char* exit_codes_help =
    "Exit status: 0 success; 1 failure (an image that is damaged, unreadable or not what the\n"
    "command needs, data that cannot be copied, an output that exists without --force);\n"
    "2 usage (an unknown option or command, a malformed size, a volume that does not exist or\n"
    "must be chosen, an output that is a directory); 128+N stopped by signal N (130: Ctrl-C,\n"
    "143: SIGTERM), after removing the unfinished output. Reference: docs/interface.md.";

void add_inspect_command(CLI::App& app);
void add_ls_command(CLI::App& app);
void add_stat_command(CLI::App& app);
void add_cat_command(CLI::App& app);
void add_create_command(CLI::App& app);
void add_check_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_usedmap_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_extract_command(CLI::App& app);

}  // namespace diskimg::tool
