// extract: files and trees out of an NTFS volume into a directory. A thin shell over
// diskimg::extract: arguments, a progress line on a terminal, the summary.
#include "commands.hpp"
#include "format.hpp"
#include "interrupt.hpp"
#include "progress_line.hpp"
#include "sources.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/extract/extract.hpp>

#include <filesystem>
#include <iostream>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace diskimg::tool {
namespace {

struct ExtractArguments {
  SourceArguments sources;
  std::string output;
  std::string streams;  // empty: xattr
};

// SRC... PATH...: the leading arguments that name files or block devices here are the
// sources, the rest the paths inside the volume (at least one of each).
void split_sources_and_paths(const std::vector<std::string>& positionals, std::vector<std::string>& sources,
                             std::vector<std::string>& paths) {
  std::size_t first_path = 1;
  while (first_path < positionals.size()) {
    std::error_code error;
    const auto status = std::filesystem::status(positionals[first_path], error);
    if (error || !(std::filesystem::is_regular_file(status) || std::filesystem::is_block_file(status))) break;
    ++first_path;
  }
  if (positionals.empty() || first_path >= positionals.size()) {
    throw UsageError("extract: give the source, then the paths inside the volume to extract (\"/\" for all)");
  }
  sources.assign(positionals.begin(), positionals.begin() + static_cast<std::ptrdiff_t>(first_path));
  paths.assign(positionals.begin() + static_cast<std::ptrdiff_t>(first_path), positionals.end());
}

void print_summary(const ExtractResult& result, const std::string& output, bool as_json) {
  if (as_json) {
    nlohmann::ordered_json renamed = nlohmann::ordered_json::array();
    for (const RenamedEntry& entry : result.renamed) {
      renamed.push_back({{"path", entry.path}, {"written_as", entry.written_as}, {"reason", entry.reason}});
    }
    nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
    for (const ExtractProblem& problem : result.skipped) {
      skipped.push_back({{"path", problem.path}, {"reason", problem.reason}});
    }
    const nlohmann::ordered_json summary = {
        {"output", output},           {"files", result.files},
        {"directories", result.directories}, {"hard_links", result.hard_links},
        {"named_streams", result.named_streams}, {"reparse_points", result.reparse_points},
        {"bytes", result.bytes},      {"renamed", renamed},
        {"skipped", skipped}};
    std::cout << summary.dump(2) << '\n';
    return;
  }
  fmt::print("{}: {} files ({}), {} directories, {} hard links, {} named streams, {} reparse points\n", output,
             result.files, human_size(result.bytes), result.directories, result.hard_links, result.named_streams,
             result.reparse_points);
  for (const RenamedEntry& entry : result.renamed) {
    fmt::print("  renamed  {} -> {} ({})\n", entry.path, entry.written_as, entry.reason);
  }
  for (const ExtractProblem& problem : result.skipped) {
    std::cerr << fmt::format("diskimg: not restored: {}{}{}\n", problem.path, problem.path.empty() ? "" : ": ",
                             problem.reason);
  }
}

void run_extract(const ExtractArguments& arguments) {
  std::vector<std::string> sources;
  std::vector<std::string> paths;
  split_sources_and_paths(arguments.sources.positionals, sources, paths);
  const OpenedNtfs opened = open_ntfs(sources, arguments.sources.volume, arguments.sources.snapshot);
  ExtractOptions options;
  if (!arguments.streams.empty()) options.named_streams = parse_stream_target(arguments.streams);
  std::optional<ProgressLine> progress;
  if (::isatty(STDERR_FILENO) && !arguments.sources.json) progress.emplace();
  catch_interrupting_signals();
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    if (interrupted()) return false;
    return !progress || progress->update(done, total);
  };
  const ExtractResult result = extract(*opened.ntfs, paths, arguments.output, options);
  progress.reset();
  print_summary(result, arguments.output, arguments.sources.json);
  if (!result.skipped.empty()) exit_code = 1;
}

}  // namespace

void add_extract_command(CLI::App& app) {
  auto arguments = std::make_shared<ExtractArguments>();
  CLI::App* command = app.add_subcommand(
      "extract", "Files and directory trees out of an NTFS volume: bytes, named streams, times, sparse holes");
  add_source_arguments(*command, arguments->sources, true, "the paths inside the volume (\"/\" for all)");
  command->add_option("-o,--output", arguments->output, "the directory to extract into (made if missing)")
      ->required();
  command->add_option("--streams", arguments->streams,
                      "named streams as xattrs (user.ntfs.stream.NAME, the default) or sidecar files (NAME:STREAM)");
  command->callback([arguments] { run_extract(*arguments); });
}

}  // namespace diskimg::tool
