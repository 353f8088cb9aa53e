#include "sources.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vss/shadow_copies.hpp>

#include <filesystem>
#include <iostream>

namespace diskimg::tool {

void add_source_arguments(CLI::App& command, SourceArguments& arguments, bool with_path,
                          const std::string& path_help, bool with_json) {
  const std::string help = with_path ? "disk images or block devices, then " + path_help
                                     : "disk images or block devices";
  command.add_option(with_path ? "SRC... PATH" : "SRC", arguments.positionals, help)
      ->required();
  command.add_option("--volume", arguments.volume,
                     "the volume to read (see inspect); by default the only NTFS volume");
  command.add_option("--snapshot", arguments.snapshot,
                     "read the volume as its shadow copy N saw it (see inspect; 1 is the oldest)");
  if (with_json) command.add_flag("--json", arguments.json, "print JSON (see docs/interface.md)");
}

SplitArguments split_sources(const std::vector<std::string>& positionals, bool path_required) {
  SplitArguments split{positionals, std::nullopt};
  if (positionals.size() >= 2) {
    std::error_code error;
    const auto status = std::filesystem::status(positionals.back(), error);
    const bool is_source = !error && (std::filesystem::is_regular_file(status) ||
                                      std::filesystem::is_block_file(status));
    if (!is_source || path_required) {
      split.path = positionals.back();
      split.sources.pop_back();
    }
  } else if (path_required) {
    throw UsageError("a PATH inside the volume is required after the source");
  }
  return split;
}

Disk open_disk(const std::vector<std::string>& sources) {
  return Disk::open(std::vector<std::filesystem::path>(sources.begin(), sources.end()));
}



OpenedNtfs open_ntfs(const std::vector<std::string>& sources, std::optional<unsigned> volume,
                     std::optional<unsigned> snapshot) {
  OpenedNtfs opened{open_disk(sources), {}, nullptr};
  print_warnings(opened.disk.warnings());
  opened.volume = opened.disk.select_volume(volume, FilesystemKind::ntfs);
  if (snapshot) {
    const vss::ShadowCopies copies(opened.volume.bytes);
    print_warnings(copies.warnings());
    opened.volume.bytes = copies.open(*snapshot);
  }
  opened.ntfs = ntfs::Volume::open(opened.volume.bytes);
  print_warnings(opened.ntfs->warnings());
  return opened;
}

}  // namespace diskimg::tool
