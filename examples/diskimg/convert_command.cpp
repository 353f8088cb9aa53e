// convert: the main job. A thin shell over diskimg::convert: arguments, a progress line on a
// terminal, the summary.
#include "commands.hpp"
#include "format.hpp"
#include "interrupt.hpp"
#include "progress_line.hpp"
#include "sources.hpp"

#include <diskimg/convert/convert.hpp>
#include <diskimg/core/error.hpp>

#include <cctype>
#include <filesystem>
#include <cstdio>
#include <iostream>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace diskimg::tool {
namespace {

struct ConvertArguments {
  std::vector<std::string> sources;
  std::string output;
  std::string format;  // empty: the library's choice by the output's name
  std::string block_size;  // empty: the library's default
  std::optional<unsigned> volume;
  std::optional<unsigned> snapshot;
  std::optional<unsigned> snapshot_volume;
  bool all_sectors = false;
  bool exclude_pagefile = false;
  bool new_disk_id = false;
  bool continue_on_read_error = false;
  bool verify = false;
  bool force = false;
  bool force_sector_size = false;
  std::string parent;   // empty: a full conversion
  std::string changes;  // empty: exact
  bool json = false;
};

void run_convert(const ConvertArguments& arguments) {
  const Disk disk = open_disk(arguments.sources);
  print_warnings(disk.warnings());
  ConvertOptions options;
  if (!arguments.format.empty()) options.format = parse_output_format(arguments.format);
  if (!arguments.block_size.empty()) {
    // The library refuses sizes the output format does not use.
    const std::uint64_t block_size = parse_size(arguments.block_size);
    if (block_size > UINT32_MAX) throw UsageError("convert: --block-size is at most 256M");
    options.block_size = static_cast<std::uint32_t>(block_size);
  }
  options.plan.all_sectors = arguments.all_sectors;
  options.plan.exclude_pagefile = arguments.exclude_pagefile;
  options.volume = arguments.volume;
  options.snapshot = arguments.snapshot;
  options.snapshot_volume = arguments.snapshot_volume;
  options.new_disk_id = arguments.new_disk_id;
  options.continue_on_read_error = arguments.continue_on_read_error;
  options.verify = arguments.verify;
  options.force = arguments.force;
  if (!arguments.parent.empty()) options.parent = arguments.parent;
  if (!arguments.changes.empty()) {
    if (arguments.parent.empty()) throw UsageError("convert: --changes needs --parent");
    options.changes = parse_change_detection(arguments.changes);
  }
  // --force also means "the parent is this disk's copy" when only its identity differs.
  options.allow_other_disk = arguments.force;
  options.allow_sector_size_change = arguments.force_sector_size;
  std::optional<ProgressLine> progress;
  if (::isatty(STDERR_FILENO) && !arguments.json) progress.emplace();
  // A signal stops the copy between pieces; the library then removes the unfinished file.
  catch_interrupting_signals();
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    if (interrupted()) return false;
    return !progress || progress->update(done, total);
  };
  const ConvertResult result = [&] {
    try {
      return convert(disk, arguments.output, options);
    } catch (const VolumeChoiceError& error) {
      if (!options.snapshot || options.volume) throw;
      // Of the whole disk, --volume would mean "that volume alone": say what else there is.
      throw UsageError(fmt::format("{}; name the one with --snapshot-volume (or convert it alone with --volume)",
                                   error.what()));
    }
  }();
  progress.reset();
  for (const CopyRange& range : result.unreadable) {
    std::cerr << fmt::format("diskimg: warning: missing (unreadable, or past the source's end): {} bytes at "
                             "offset {:#x}, zeros in the output\n", range.length, range.offset);
  }
  // A shadow copy: what the copy is of, and that the other volumes are as they are now.
  if (options.snapshot && !result.notes.empty()) std::cerr << "diskimg: warning: " << result.notes.front() << '\n';
  if (arguments.json) {
    nlohmann::ordered_json unreadable = nlohmann::ordered_json::array();
    for (const CopyRange& range : result.unreadable) unreadable.push_back({range.offset, range.length});
    nlohmann::ordered_json summary = {
        {"output", result.output},       {"format", std::string(to_string(result.format))},
        {"virtual_size", result.virtual_size}, {"bytes_in_use", result.bytes_in_use},
        {"bytes_read", result.bytes_read},
        {"bytes_written", result.bytes_written}, {"file_size", result.file_size},
        {"allocated_bytes", result.allocated_bytes}, {"verified", result.verified},
        {"bytes_verified", result.bytes_verified}, {"seconds", result.seconds},
        {"unreadable", unreadable},      {"notes", result.notes}};
    if (!result.parent.empty()) {
      summary["parent"] = result.parent;
      summary["changes"] = std::string(to_string(options.changes));
      summary["bytes_compared"] = result.bytes_compared;
      summary["bytes_changed"] = result.bytes_changed;
      summary["bytes_unchanged_by_mft"] = result.bytes_unchanged_by_mft;
    }
    std::cout << summary.dump(2) << '\n';
    return;
  }
  fmt::print("{}: {} of {}\n", result.output, to_string(result.format), human_size(result.virtual_size));
  const auto line = [](std::string_view what, std::uint64_t bytes) {
    fmt::print("  {:<14} {:>12}  ({} bytes)\n", what, human_size(bytes), bytes);
  };
  line("disk size", result.virtual_size);
  line("in use", result.bytes_in_use);
  line("read", result.bytes_read);
  if (!result.parent.empty()) {
    fmt::print("  parent         {}\n", result.parent);
    if (options.changes == ChangeDetection::mft) line("unchanged (MFT)", result.bytes_unchanged_by_mft);
    line("compared", result.bytes_compared);
    line("changed", result.bytes_changed);
  }
  line("written", result.bytes_written);
  line("output file", result.file_size);
  if (result.verified) {
    fmt::print("  verified       every copied range read back from the output and equal ({} bytes)\n",
               result.bytes_verified);
  } else {
    fmt::print("  verified       no (--verify reads the output back and compares)\n");
  }
  fmt::print("  in {:.1f} s\n", result.seconds);
}

}  // namespace

void add_convert_command(CLI::App& app) {
  auto arguments = std::make_shared<ConvertArguments>();
  CLI::App* command = app.add_subcommand("convert", "A disk into a virtual disk holding only what is in use");
  command->add_option("SRC", arguments->sources, "disk image, VHD or block device")->required();
  command->add_option("-o,--output", arguments->output, "the output file")->required();
  command->add_option("--format", arguments->format,
                      "vhd-dynamic (the default; vhdx-dynamic for an output named *.vhdx), vhd-fixed, "
                      "vhdx-dynamic, vhdx-fixed or raw");
  command->add_option("--block-size", arguments->block_size,
                      "dynamic VHD block: 512K (default), 1M or 2M; VHDX: 1M (default) to 256M");
  command->add_option("--volume", arguments->volume, "one volume into its own disk");
  command->add_option("--snapshot", arguments->snapshot,
                      "the disk (or --volume) as shadow copy N of the NTFS volume saw it (see inspect)");
  command->add_option("--snapshot-volume", arguments->snapshot_volume,
                      "with --snapshot, of the whole disk: the volume the copy is of (default: the only NTFS "
                      "volume holding shadow copies)");
  command->add_flag("--all-sectors", arguments->all_sectors, "copy every sector, used or not");
  command->add_flag("--exclude-pagefile", arguments->exclude_pagefile,
                    "leave out pagefile.sys, hiberfil.sys and swapfile.sys contents");
  command->add_flag("--new-disk-id", arguments->new_disk_id, "give the copy new disk and partition IDs");
  command->add_flag("--continue-on-read-error", arguments->continue_on_read_error,
                    "write zeros where the source cannot be read, and list those ranges");
  command->add_flag("--verify", arguments->verify, "re-read the output and compare every copied range");
  command->add_option("--parent", arguments->parent,
                      "write a differencing child of this earlier conversion, holding only what changed");
  command->add_option("--changes", arguments->changes,
                      "with --parent: exact (compare every copied sector, the default) or mft (skip files "
                      "whose MFT records and runs are unchanged)");
  command->add_flag("--force", arguments->force,
                    "replace an existing output file; take a --parent whose disk identity differs");
  command->add_flag("--force-sector-size", arguments->force_sector_size,
                    "write a VHD (512-byte sectors) of a disk with 4096-byte sectors anyway");
  command->add_flag("--json", arguments->json, "print the summary as JSON (docs/interface.md)");
  command->callback([arguments] { run_convert(*arguments); });
}

}  // namespace diskimg::tool
