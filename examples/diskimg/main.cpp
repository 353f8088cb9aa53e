// diskimg: the command-line tool. A thin shell over the library: each command parses its
// arguments, calls the library and prints. Exit codes (exit_codes_help, docs/interface.md):
// 0 ok, 1 failure, 2 usage, 128 + N stopped by signal N.
#include "commands.hpp"
#include "interrupt.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/version.hpp>

#include <algorithm>
#include <array>
#include <iostream>
#include <string>
#include <string_view>

namespace {

// The commands, in the order --help lists them.
struct Command {
  std::string_view name;
  void (*add)(CLI::App&);
};
constexpr std::array<Command, 10> commands{{
    {"inspect", diskimg::tool::add_inspect_command},
    {"ls", diskimg::tool::add_ls_command},
    {"stat", diskimg::tool::add_stat_command},
    {"cat", diskimg::tool::add_cat_command},
    {"create", diskimg::tool::add_create_command},
    {"check", diskimg::tool::add_check_command},
    {"merge", diskimg::tool::add_merge_command},
    {"usedmap", diskimg::tool::add_usedmap_command},
    {"convert", diskimg::tool::add_convert_command},
    {"extract", diskimg::tool::add_extract_command},
}};

// Building every command's options took a tenth of a small volume's `ls -r`: when the first
// argument names a command, only that command is built. Anything else (--help, --version, a
// mistyped or missing command) builds them all, so that help and errors list every command.
void add_commands(CLI::App& app, std::string_view first) {
  const auto named = std::find_if(commands.begin(), commands.end(),
                                  [&](const Command& command) { return command.name == first; });
  if (named != commands.end()) {
    named->add(app);
    return;
  }
  for (const Command& command : commands) command.add(app);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"diskimg: read partition tables, NTFS and VHD images; convert disks to VHD"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "diskimg " + std::string(diskimg::version));
  add_commands(app, argc > 1 ? argv[1] : "");
  app.footer(diskimg::tool::exit_codes_help);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {
    return app.exit(success);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return 2;
  } catch (const diskimg::NotFoundError& error) {
    std::cerr << "diskimg: " << error.what() << '\n';
    return 1;
  } catch (const diskimg::UnsupportedError& error) {
    std::cerr << "diskimg: " << error.what() << '\n';
    return 1;
  } catch (const diskimg::OutputExistsError& error) {
    std::cerr << "diskimg: " << error.what() << "; give --force to replace it\n";
    return 1;
  } catch (const diskimg::VolumeChoiceError& error) {
    std::cerr << "diskimg: " << error.what() << "; choose one with --volume\n";
    return 2;
  } catch (const diskimg::UsageError& error) {
    std::cerr << "diskimg: " << error.what() << '\n';
    return 2;
  } catch (const diskimg::ParentMismatchError& error) {
    std::cerr << "diskimg: error: " << error.what()
              << (error.identity_only() ? "; give --force if it is the same disk (or --new-disk-id if the parent "
                                          "was converted with it)\n"
                                        : "\n");
    return 1;
  } catch (const diskimg::CancelledError& error) {
    const int signal = diskimg::tool::interrupting_signal();
    std::cerr << "diskimg: " << error.what() << '\n';
    return signal != 0 ? 128 + signal : 1;
  } catch (const diskimg::MissingDataError& error) {
    std::cerr << "diskimg: error: " << error.what()
              << "; give --continue-on-read-error to convert the rest, with zeros there\n";
    return 1;
  } catch (const diskimg::Error& error) {
    std::cerr << "diskimg: error: " << error.what() << '\n';
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "diskimg: error: out of memory\n";
    return 1;
  } catch (const std::exception& error) {
    // Not expected from the library (it throws diskimg::Error); still never an abort.
    std::cerr << "diskimg: error: " << error.what() << '\n';
    return 1;
  }
  return diskimg::tool::exit_code;
}
