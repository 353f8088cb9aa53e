// usedmap: an NTFS volume's used clusters as extents; --verify checks them against the
// runlists of every file.
#include "commands.hpp"
#include "sources.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/usedmap/used_map.hpp>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace diskimg::tool {
namespace {

using json = nlohmann::ordered_json;

struct UsedMapOptions {
  SourceArguments sources;
  bool verify = false;
};

json examples_json(const std::vector<UsedMapCheck::Example>& examples) {
  json out = json::array();
  for (const auto& example : examples) {
    out.push_back({{"cluster", example.cluster}, {"record", example.record}, {"path", example.path}});
  }
  return out;
}

json check_json(const UsedMapCheck& check) {
  return {{"consistent", check.consistent()},
          {"used_but_free_clusters", check.used_but_free},
          {"claimed_twice_clusters", check.claimed_twice},
          {"marked_but_unowned_clusters", check.marked_unowned},
          {"used_but_free", examples_json(check.used_but_free_examples)},
          {"claimed_twice", examples_json(check.claimed_twice_examples)},
          {"marked_but_unowned", check.marked_unowned_examples},
          {"unreadable_records", check.unreadable}};
}

void print_check(const UsedMapCheck& check) {
  fmt::print("verify: {}\n", check.consistent() ? "every used cluster is owned by one file"
                                                : "the bitmap and the files disagree");
  fmt::print("  clusters used by a file but free in $Bitmap: {}\n", check.used_but_free);
  for (const auto& e : check.used_but_free_examples) {
    fmt::print("    cluster {} of record {} {}\n", e.cluster, e.record, e.path);
  }
  fmt::print("  clusters claimed by two files: {}\n", check.claimed_twice);
  for (const auto& e : check.claimed_twice_examples) {
    fmt::print("    cluster {}, again by record {} {}\n", e.cluster, e.record, e.path);
  }
  fmt::print("  clusters marked used that no file owns: {}\n", check.marked_unowned);
  for (const std::uint64_t cluster : check.marked_unowned_examples) fmt::print("    cluster {}\n", cluster);
  for (const auto& message : check.unreadable) fmt::print("  unreadable: {}\n", message);
}

void run_usedmap(const UsedMapOptions& options) {
  const SplitArguments split = split_sources(options.sources.positionals, false);
  if (split.path) throw UsageError("usedmap takes no PATH");
  const OpenedNtfs opened = open_ntfs(split.sources, options.sources.volume, options.sources.snapshot);
  const UsedMap map = UsedMap::read(*opened.ntfs);
  std::optional<UsedMapCheck> check;
  if (options.verify) check = verify_used_map(*opened.ntfs, map);
  if (options.sources.json) {
    json extents = json::array();
    map.for_each_extent([&](const ClusterExtent& e) { extents.push_back({e.first, e.count}); });
    json out = {{"cluster_size", map.cluster_size()},
                {"total_clusters", map.total_clusters()},
                {"used_clusters", map.used_clusters()},
                {"extents", extents}};
    if (check) out["verify"] = check_json(*check);
    std::cout << out.dump(2) << '\n';
  } else {
    fmt::print("{} of {} clusters of {} bytes in use\n", map.used_clusters(), map.total_clusters(),
               map.cluster_size());
    fmt::print("{:>12} {:>12}\n", "first", "clusters");
    map.for_each_extent([](const ClusterExtent& e) { fmt::print("{:>12} {:>12}\n", e.first, e.count); });
    if (check) print_check(*check);
  }
  if (check && !check->consistent()) exit_code = 1;
}

}  // namespace

void add_usedmap_command(CLI::App& app) {
  auto options = std::make_shared<UsedMapOptions>();
  CLI::App* command = app.add_subcommand("usedmap", "The used clusters of an NTFS volume");
  add_source_arguments(*command, options->sources, false, "");
  command->add_flag("--verify", options->verify,
                    "check $Bitmap against every file's runlists (exit 1 when they disagree)");
  command->callback([options] { run_usedmap(*options); });
}

}  // namespace diskimg::tool
