#include <diskimg/error.hpp>
#include <diskimg/ntfs/catalog.hpp>

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

// A hostile volume may hold any number of broken records; a few messages say enough.
constexpr std::size_t max_catalog_warnings = 100;

std::string join(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

}  // namespace

Catalog Catalog::build(const Volume& volume) {
  Catalog catalog;
  const std::uint64_t count = volume.record_count();
  catalog.entries_.resize(count);
  catalog.present_.assign(count, false);
  std::size_t unreadable = 0;
  // Attributes of child records, kept until every base record is known.
  std::vector<std::pair<RecordReference, Attribute>> from_children;
  volume.scan_records([&](std::uint64_t number, const FileRecord* record, std::string_view error) {
    ++catalog.records_scanned_;
    if (record == nullptr) {
      if (!error.empty() && ++unreadable <= max_catalog_warnings) {
        catalog.warnings_.emplace_back(error);
      }
      return;
    }
    if (!record->in_use()) return;
    ++catalog.records_in_use_;
    if (!record->is_base()) {
      for (const Attribute& attribute : record->attributes) {
        if (attribute.type == attribute_type::file_name || attribute.type == attribute_type::data) {
          from_children.emplace_back(record->base, attribute);
        }
      }
      return;
    }
    Entry& entry = catalog.entries_[number];
    catalog.present_[number] = true;
    entry.file = record->reference();
    entry.is_directory = record->is_directory();
    for (const Attribute& attribute : record->attributes) {
      catalog.add_attribute(volume, entry, attribute);
    }
  });
  if (unreadable > max_catalog_warnings) {
    catalog.warnings_.push_back(fmt::format("{} more unreadable records",
                                            unreadable - max_catalog_warnings));
  }
  for (const auto& [base, attribute] : from_children) {
    if (base.record >= count || !catalog.present_[base.record]) continue;
    Entry& entry = catalog.entries_[base.record];
    if (entry.file != base) continue;
    catalog.add_attribute(volume, entry, attribute);
  }
  catalog.index_children(volume);
  return catalog;
}

void Catalog::add_attribute(const Volume& volume, Entry& entry, const Attribute& attribute) {
  if (attribute.type == attribute_type::data) {
    // Sizes live in the extent that starts at VCN 0, wherever that is.
    if (attribute.first_vcn != 0) return;
    if (attribute.name.empty()) {
      entry.size = attribute.size();
    } else {
      entry.streams.push_back({attribute.name, attribute.size()});
    }
    return;
  }
  if (attribute.type != attribute_type::file_name || !attribute.resident) return;
  FileName name;
  try {
    name = parse_file_name(attribute.value);
  } catch (const FormatError& error) {
    warnings_.push_back(fmt::format("ntfs: MFT record {}: {}", entry.file.record, error.what()));
    return;
  }
  if (name.name_space == NameSpace::dos) return;
  std::u16string folded = name.name_utf16;
  for (char16_t& unit : folded) unit = volume.upcase(unit);
  entry.names.push_back({std::move(name.name), std::move(folded), name.parent});
}

void Catalog::index_children(const Volume&) {
  for (std::uint64_t number = 0; number < entries_.size(); ++number) {
    if (!present_[number]) continue;
    Entry& entry = entries_[number];
    std::sort(entry.streams.begin(), entry.streams.end(),
              [](const StreamInfo& a, const StreamInfo& b) { return a.name < b.name; });
    for (const Name& name : entry.names) {
      if (name.parent.record == number) continue;  // the root's own "."
      links_.push_back({name.parent.record, {&name, &entry}});
    }
  }
  std::sort(links_.begin(), links_.end(), [](const Link& a, const Link& b) {
    if (a.parent != b.parent) return a.parent < b.parent;
    if (a.child.name->folded != b.child.name->folded) return a.child.name->folded < b.child.name->folded;
    return a.child.name->name < b.child.name->name;
  });
}

const Catalog::Entry* Catalog::find(std::uint64_t record) const {
  return record < entries_.size() && present_[record] ? &entries_[record] : nullptr;
}

std::string Catalog::path_of(std::uint64_t record) const {
  std::vector<const std::string*> parts;
  std::set<std::uint64_t> seen;
  while (record != root_directory_record) {
    const Entry* entry = find(record);
    if (entry == nullptr || entry->names.empty() || !seen.insert(record).second) return {};
    parts.push_back(&entry->names.front().name);
    record = entry->names.front().parent.record;
  }
  std::string path;
  for (auto part = parts.rbegin(); part != parts.rend(); ++part) path += "/" + **part;
  return path.empty() ? "/" : path;
}

void Catalog::walk(std::uint64_t directory, const std::string& path, bool recursive,
                   const std::function<void(const ListedEntry&)>& visit) const {
  std::set<std::uint64_t> visited;
  std::function<void(std::uint64_t, const std::string&)> descend =
      [&](std::uint64_t record, const std::string& here) {
        if (!visited.insert(record).second) return;
        const auto first = std::lower_bound(links_.begin(), links_.end(), record,
                                            [](const Link& link, std::uint64_t parent) {
                                              return link.parent < parent;
                                            });
        for (auto link = first; link != links_.end() && link->parent == record; ++link) {
          const Child& child = link->child;
          // A name whose parent reference is stale (an older file in that record) is not
          // in that directory any more.
          const Entry* parent = find(record);
          if (parent != nullptr && child.name->parent.sequence != parent->file.sequence &&
              child.name->parent.sequence != 0) {
            continue;
          }
          ListedEntry listed;
          listed.name = child.name->name;
          listed.path = join(here, child.name->name);
          listed.file = child.entry->file;
          listed.is_directory = child.entry->is_directory;
          listed.size = child.entry->is_directory ? 0 : child.entry->size;
          listed.streams = child.entry->streams;
          visit(listed);
          if (recursive && listed.is_directory) descend(listed.file.record, listed.path);
        }
      };
  descend(directory, path);
}

}  // namespace diskimg::ntfs
