// Arguments shared by the commands that read a disk: SRC... [--volume N] [PATH].
#pragma once

#include "warnings.hpp"

#include <diskimg/disk/disk.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace diskimg::tool {

struct SourceArguments {
  std::vector<std::string> positionals;  // SRC... and perhaps a trailing PATH
  std::optional<unsigned> volume;
  std::optional<unsigned> snapshot;  // read the volume as this shadow copy saw it
  bool json = false;
};

// Adds SRC... (and the optional trailing PATH), --volume, --snapshot and, for commands that
// print structure, --json.
void add_source_arguments(CLI::App& command, SourceArguments& arguments, bool with_path,
                          const std::string& path_help, bool with_json = true);

// Splits the positionals: the last one is the in-volume PATH unless it names an existing
// file or block device on this machine (so `ls d1.img d2.img` lists the root of both
// disks, and `ls disk.img /Windows` lists /Windows).
struct SplitArguments {
  std::vector<std::string> sources;
  std::optional<std::string> path;
};
SplitArguments split_sources(const std::vector<std::string>& positionals, bool path_required);

struct OpenedNtfs {
  Disk disk;
  Volume volume;
  std::shared_ptr<const ntfs::Volume> ntfs;
};

// Opens the sources and the NTFS volume chosen by --volume (or the only one), as shadow
// copy `snapshot` of it saw it when one is given; prints the warnings of the disk, the
// shadow copies and the volume on stderr.
OpenedNtfs open_ntfs(const std::vector<std::string>& sources, std::optional<unsigned> volume,
                     std::optional<unsigned> snapshot = std::nullopt);

// Opens the disk of the sources (one image for now).
Disk open_disk(const std::vector<std::string>& sources);


}  // namespace diskimg::tool
