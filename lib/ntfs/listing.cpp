#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/catalog.hpp>
#include <diskimg/ntfs/listing.hpp>

#include <optional>
#include <unordered_map>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

std::string join(const std::string& parent, const std::string& name) {
  std::string path = parent;
  if (path != "/") path += '/';
  return path += name;
}

}  // namespace

ListedEntry describe_entry(const Volume& volume, const DirectoryEntry& entry,
                           const std::string& parent_path) {
  return describe_file(volume.read_file(entry.file.record), entry, parent_path);
}

ListedEntry describe_file(const File& file, const DirectoryEntry& entry, const std::string& parent_path) {
  ListedEntry listed;
  listed.name = entry.name.name;
  listed.path = join(parent_path, entry.name.name);
  listed.file = entry.file;
  listed.is_directory = file.is_directory();
  if (!listed.is_directory) listed.size = file.data_size();
  if (const std::optional<StandardInformation> info = file.standard_information()) {
    listed.times = info->times;
    listed.file_attributes = info->file_attributes;
  }
  for (const std::string& stream : file.stream_names()) {
    const Attribute* first = file.find(AttributeType::data, stream);
    listed.streams.push_back({stream, first == nullptr ? 0 : first->size()});
  }
  return listed;
}

void walk_directory(const Volume& volume, const std::string& path, bool recursive,
                    const std::function<void(const ListedEntry&)>& visit,
                    Warnings& warnings) {
  const File start = volume.open_path(path);
  if (!start.is_directory()) throw NotFoundError(fmt::format("ntfs: {} is not a directory", path));
  std::string normalized = path.empty() || path.front() != '/' ? "/" + path : path;
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();

  if (recursive) {
    // A whole subtree is listed from one pass over the MFT rather than a walk that reads
    // each file's record on its own: the same entries, several times faster.
    const Catalog catalog = Catalog::build(volume);
    warnings.insert(warnings.end(), catalog.warnings().begin(), catalog.warnings().end());
    catalog.walk(start.number(), normalized, true, visit);
    return;
  }
  for (const DirectoryEntry& entry : volume.list_directory(start)) {
    if (entry.name.name == "." || entry.name.name == "..") continue;
    // An entry that cannot be described is a warning; what `visit` throws is the caller's.
    std::optional<ListedEntry> described;
    try {
      described = describe_entry(volume, entry, normalized);
    } catch (const Error& error) {
      warnings.emplace_back(error.where(), fmt::format("{}: {}", join(normalized, entry.name.name), error.what()));
      continue;
    }
    visit(*described);
  }
}

std::vector<WalkedDirectory> walk_tree(const Volume& volume, std::string top, Warnings& warnings) {
  while (top.size() > 1 && top.back() == '/') top.pop_back();
  if (top.empty()) top = "/";
  std::vector<WalkedDirectory> tree{{top, {}, {}}};
  std::unordered_map<std::string, std::size_t> index_of{{top, 0}};
  walk_directory(volume, top, true, [&](const ListedEntry& entry) {
    std::string parent = entry.path.substr(0, entry.path.size() - entry.name.size());
    if (parent.size() > 1) parent.pop_back();  // "/dir/" -> "/dir"; "/" stays
    const auto found = index_of.find(parent);
    if (found == index_of.end()) return;  // below a directory the walk did not list
    WalkedDirectory& directory = tree[found->second];
    (entry.is_directory ? directory.directories : directory.files).push_back(entry);
    if (entry.is_directory) {
      index_of.emplace(entry.path, tree.size());
      tree.push_back({entry.path, {}, {}});
    }
  }, warnings);
  return tree;
}

}  // namespace diskimg::ntfs
