// ls, stat and cat: reading NTFS from a volume of a disk image.
#include "commands.hpp"
#include "ntfs_json.hpp"
#include "sources.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/listing.hpp>

#include <cstdio>
#include <iostream>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fmt/core.h>

namespace diskimg::tool {
namespace {

using json = nlohmann::ordered_json;

struct LsOptions {
  SourceArguments sources;
  bool recursive = false;
};

struct RecordOptions {
  SourceArguments sources;
  std::optional<std::uint64_t> record;
  std::string stream;
};

void run_ls(const LsOptions& options) {
  const SplitArguments split = split_sources(options.sources.positionals, false);
  const OpenedNtfs opened = open_ntfs(split.sources, options.sources.volume, options.sources.snapshot);
  const std::string path = split.path.value_or("/");
  Warnings warnings;
  json listing = json::array();
  fmt::memory_buffer text;  // human output, written in large pieces: trees can be huge
  if (!options.sources.json) {
    fmt::format_to(std::back_inserter(text), "{} {:>9} {:>14}  {}\n", 't', "record", "size",
                   options.recursive ? "path  [:stream size]" : "name  [:stream size]");
  }
  const auto flush = [&] {
    std::fwrite(text.data(), 1, text.size(), stdout);
    text.clear();
  };
  ntfs::walk_directory(*opened.ntfs, path, options.recursive,
                       [&](const ntfs::ListedEntry& entry) {
                         if (options.sources.json) {
                           listing.push_back(to_json(entry));
                           return;
                         }
                         // A compiled format: this line is written once per entry of a tree.
                         fmt::format_to(std::back_inserter(text), FMT_COMPILE("{} {:>9} {:>14}  {}\n"),
                                        entry.is_directory ? 'd' : '-', entry.file.record,
                                        entry.size, options.recursive ? entry.path : entry.name);
                         if (!entry.streams.empty()) {
                           text.resize(text.size() - 1);  // the streams go on the same line
                           for (const ntfs::StreamInfo& stream : entry.streams) {
                             fmt::format_to(std::back_inserter(text), "  [:{} {}]", stream.name,
                                            stream.size);
                           }
                           text.push_back('\n');
                         }
                         if (text.size() > (1u << 20)) flush();
                       },
                       warnings);
  flush();
  print_warnings(warnings);
  if (options.sources.json) std::cout << listing.dump(2) << '\n';
  if (!warnings.empty()) exit_code = 1;
}

// PATH[:STREAM] or --record N [--stream S]: the file and the stream name.
struct Target {
  ntfs::File file;
  std::string stream;
};

Target resolve(const ntfs::Volume& volume, const RecordOptions& options,
               const std::optional<std::string>& path) {
  if (options.record) {
    if (path) throw UsageError("give either a PATH or --record, not both");
    return {volume.read_file(*options.record), options.stream};
  }
  const ntfs::StreamPath split = ntfs::split_stream_path(*path);
  return {volume.open_path(split.path), split.stream.empty() ? options.stream : split.stream};
}

void print_attribute(const ntfs::Attribute& attribute) {
  std::string line = fmt::format("  {:<24} {:<6} {:>11}", ntfs::attribute_type_name(attribute.type),
                                 attribute.name.empty() ? "\"\"" : attribute.name,
                                 attribute.resident ? "resident" : "nonresident");
  line += fmt::format("  size {}", attribute.size());
  if (!attribute.resident) {
    line += fmt::format(" allocated {} initialized {}  VCN {}..{}", attribute.allocated_size,
                        attribute.initialized_size, attribute.first_vcn,
                        static_cast<std::int64_t>(attribute.last_vcn));
  }
  if (attribute.compressed()) line += "  compressed";
  if (attribute.sparse()) line += "  sparse";
  if (attribute.encrypted()) line += "  encrypted";
  line += fmt::format("  (record {}, id {})", attribute.record, attribute.instance);
  fmt::print("{}\n", line);
  if (!attribute.runs.empty()) {
    std::string runs = "      runs:";
    for (const ntfs::Run& run : attribute.runs) {
      runs += run.lcn ? fmt::format(" {}+{}@{}", run.vcn, run.length, *run.lcn)
                      : fmt::format(" {}+{}@sparse", run.vcn, run.length);
    }
    fmt::print("{}\n", runs);
  }
}

void print_file(const ntfs::File& file) {
  const ntfs::FileRecord& record = file.record;
  fmt::print("MFT record {} (sequence {}), {}, {}, {} link(s)", record.number, record.sequence,
             record.in_use() ? "in use" : "not in use",
             record.is_directory() ? "directory" : "file", record.link_count);
  if (!record.is_base()) fmt::print(", child of record {}", record.base.record);
  fmt::print("\n");
  const auto print_times = [](const ntfs::FileTimes& times, std::string_view indent) {
    fmt::print("{}created      {}\n{}modified     {}\n{}MFT changed  {}\n{}accessed     {}\n", indent,
               ntfs::filetime_to_iso8601(times.created), indent, ntfs::filetime_to_iso8601(times.modified), indent,
               ntfs::filetime_to_iso8601(times.mft_changed), indent, ntfs::filetime_to_iso8601(times.accessed));
  };
  if (const std::optional<ntfs::StandardInformation> info = file.standard_information()) {
    fmt::print("$STANDARD_INFORMATION:\n");
    print_times(info->times, "  ");
    fmt::print("  attributes   {}\n", fmt::join(ntfs::file_attribute_names(info->file_attributes), ", "));
    if (info->security_id) {
      fmt::print("  owner id {}, security id {}, USN {}\n", *info->owner_id, *info->security_id, *info->usn);
    }
  }
  fmt::print("Names:\n");
  for (const ntfs::FileName& name : file.names()) {
    fmt::print("  {} ({}, parent {})\n", name.name, ntfs::to_string(name.name_space),
               name.parent.record);
    print_times(name.times, "    ");
  }
  if (file.attribute_list) {
    fmt::print("Attribute list: {}, {} entries\n",
               file.attribute_list->resident ? "resident" : "nonresident",
               file.attribute_list->entries.size());
    for (const ntfs::AttributeListEntry& entry : file.attribute_list->entries) {
      fmt::print("  {:<24} {:<6} VCN {:>8} in record {} (id {})\n",
                 ntfs::attribute_type_name(entry.type), entry.name.empty() ? "\"\"" : entry.name,
                 entry.first_vcn, entry.record.record, entry.instance);
    }
  }
  fmt::print("Attributes:\n");
  for (const ntfs::Attribute& attribute : file.attributes) print_attribute(attribute);
}

void run_stat(const RecordOptions& options) {
  const SplitArguments split = split_sources(options.sources.positionals, !options.record);
  const OpenedNtfs opened = open_ntfs(split.sources, options.sources.volume, options.sources.snapshot);
  const Target target = resolve(*opened.ntfs, options, split.path);
  print_warnings(target.file.warnings);
  if (options.sources.json) {
    std::cout << to_json(target.file).dump(2) << '\n';
  } else {
    print_file(target.file);
  }
}

void run_cat(const RecordOptions& options) {
  const SplitArguments split = split_sources(options.sources.positionals, !options.record);
  const OpenedNtfs opened = open_ntfs(split.sources, options.sources.volume, options.sources.snapshot);
  const Target target = resolve(*opened.ntfs, options, split.path);
  print_warnings(target.file.warnings);
  if (target.file.is_directory() && target.stream.empty()) {
    throw UsageError(fmt::format("cat: {} is a directory", split.path ? *split.path
                                                                     : fmt::format("MFT record {}", target.file.number())));
  }
  const auto stream = opened.ntfs->open_stream(target.file, ntfs::AttributeType::data, target.stream);
  std::vector<std::byte> buffer(1 << 20);
  for (std::uint64_t offset = 0; offset < stream->size();) {
    const std::size_t piece =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), stream->size() - offset));
    stream->read(offset, std::span(buffer).first(piece));
    if (std::fwrite(buffer.data(), 1, piece, stdout) != piece) {
      throw IoError("cat: writing to standard output failed");
    }
    offset += piece;
  }
  if (std::fflush(stdout) != 0) throw IoError("cat: writing to standard output failed");
}

}  // namespace

void add_ls_command(CLI::App& app) {
  auto ls = std::make_shared<LsOptions>();
  CLI::App* ls_command = app.add_subcommand("ls", "List an NTFS directory (default /)");
  add_source_arguments(*ls_command, ls->sources, true, "the directory (default /)");
  ls_command->add_flag("-r,--recursive", ls->recursive, "list the whole subtree");
  ls_command->callback([ls] { run_ls(*ls); });
}

void add_stat_command(CLI::App& app) {
  auto stat = std::make_shared<RecordOptions>();
  CLI::App* stat_command = app.add_subcommand("stat", "Show one MFT file record");
  add_source_arguments(*stat_command, stat->sources, true, "the file's PATH");
  stat_command->add_option("--record", stat->record, "an MFT record number instead of a PATH");
  stat_command->callback([stat] { run_stat(*stat); });
}

void add_cat_command(CLI::App& app) {
  auto cat = std::make_shared<RecordOptions>();
  CLI::App* cat_command = app.add_subcommand("cat", "Write a stream's bytes to standard output");
  add_source_arguments(*cat_command, cat->sources, true, "PATH[:STREAM]", false);
  cat_command->add_option("--record", cat->record, "an MFT record number instead of a PATH");
  cat_command->add_option("--stream", cat->stream, "a named $DATA stream");
  cat_command->callback([cat] { run_cat(*cat); });
}

}  // namespace diskimg::tool
