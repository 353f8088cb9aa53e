#include "core/allocate.hpp"
#include "core/load.hpp"
#include "core/utf.hpp"
#include "ntfs/record_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/catalog.hpp>
#include <diskimg/ntfs/standard_information.hpp>

#include <algorithm>
#include <limits>
#include <set>

#include <fmt/format.h>

namespace diskimg::ntfs {
namespace {

// A hostile volume may hold any number of broken records; a few messages say enough.
constexpr std::size_t max_catalog_warnings = 100;
constexpr std::size_t no_link = ~std::size_t{0};

}  // namespace

Catalog Catalog::build(const Volume& volume) {
  Catalog catalog;
  const std::uint64_t count = volume.record_count();
  allocating(fmt::format("ntfs: a catalog of {} MFT records", count),
             count * (sizeof(Entry) + sizeof(Link) + 16 * sizeof(char16_t)), {"$MFT", std::nullopt}, [&] {
               catalog.entries_.resize(count);
               catalog.links_.reserve(count);
               catalog.names_.reserve(count * 16);
             });
  std::size_t unreadable = 0;
  // Names and sizes found in child records, applied once every base record is known.
  std::vector<std::pair<RecordReference, Link>> child_names;
  std::vector<std::pair<RecordReference, std::pair<std::string, std::uint64_t>>> child_data;

  volume.scan_record_views([&](std::uint64_t number, const FileRecord* record,
                               std::span<const AttributeView> attributes, const FormatError* fault) {
    ++catalog.records_scanned_;
    if (record == nullptr) {
      if (fault != nullptr && ++unreadable <= max_catalog_warnings) {
        catalog.warnings_.emplace_back(fault->where(), fault->what());
      }
      return;
    }
    if (!record->in_use()) return;
    ++catalog.records_in_use_;
    if (!record->is_base()) {
      for (const AttributeView& view : attributes) {
        if (view.type == AttributeType::data && view.first_vcn == 0) {
          child_data.push_back({record->base, {utf16le_to_utf8(view.name), view.size()}});
        } else if (view.type == AttributeType::file_name) {
          const std::size_t before = catalog.links_.size();
          catalog.add_name(record->base.record, view);
          if (catalog.links_.size() > before) {
            child_names.push_back({record->base, std::move(catalog.links_.back())});
            catalog.links_.pop_back();
          }
        }
      }
      return;
    }
    Entry& entry = catalog.entries_[number];
    entry.file = record->reference();
    entry.present = true;
    entry.is_directory = record->is_directory();
    for (const AttributeView& view : attributes) {
      if (view.type == AttributeType::data) catalog.add_data(entry, view);
      if (view.type == AttributeType::file_name) catalog.add_name(number, view);
      if (view.type == AttributeType::standard_information && view.resident) add_standard_information(entry, view);
    }
  });
  if (unreadable > max_catalog_warnings) {
    catalog.warnings_.push_back(fmt::format("{} more unreadable records", unreadable - max_catalog_warnings));
  }
  const auto owner = [&](const RecordReference& base) -> Entry* {
    if (base.record >= count || !catalog.entries_[base.record].present) return nullptr;
    Entry& entry = catalog.entries_[base.record];
    return entry.file == base ? &entry : nullptr;
  };
  for (auto& [base, data] : child_data) {
    if (Entry* entry = owner(base)) {
      if (data.first.empty()) {
        entry->size = data.second;
      } else {
        entry->streams.push_back({std::move(data.first), data.second});
      }
    }
  }
  for (auto& [base, link] : child_names) {
    if (owner(base) != nullptr) catalog.links_.push_back(std::move(link));
  }
  for (Entry& entry : catalog.entries_) {
    std::sort(entry.streams.begin(), entry.streams.end(),
              [](const StreamInfo& a, const StreamInfo& b) { return a.name < b.name; });
  }
  catalog.sort_links(volume);
  return catalog;
}

// A malformed $STANDARD_INFORMATION leaves the entry's times at zero: listing goes on.
void Catalog::add_standard_information(Entry& entry, const AttributeView& view) {
  try {
    const StandardInformation info = parse_standard_information(view.value);
    entry.times = info.times;
    entry.file_attributes = info.file_attributes;
  } catch (const FormatError&) {
  }
}

void Catalog::add_data(Entry& entry, const AttributeView& view) {
  // Sizes live in the extent that starts at VCN 0, wherever that is.
  if (view.first_vcn != 0) return;
  if (view.name.empty()) {
    entry.size = view.size();
  } else {
    entry.streams.push_back({utf16le_to_utf8(view.name), view.size()});
  }
}

void Catalog::add_name(std::uint64_t record, const AttributeView& view) {
  if (!view.resident || view.value.size() < sizeof(disk::FileNameValue)) return;
  const auto value = load<disk::FileNameValue>(view.value, 0, "$FILE_NAME");  // its size was checked
  const std::size_t units = value.name_length;
  if ((view.value.size() - sizeof(disk::FileNameValue)) / 2 < units) {
    if (warnings_.size() < max_catalog_warnings) {
      warnings_.push_back(fmt::format("ntfs: MFT record {}: $FILE_NAME runs past its value", record));
    }
    return;
  }
  if (static_cast<NameSpace>(value.name_space & 0x03) == NameSpace::dos) return;
  const RecordReference parent = RecordReference::from_u64(value.parent.value());
  if (parent.record == record) return;  // the root's own "."
  if (names_.size() + units > std::numeric_limits<std::uint32_t>::max()) return;
  Link link;
  link.parent = parent.record;
  link.parent_sequence = parent.sequence;
  link.record = record;
  link.name_offset = static_cast<std::uint32_t>(names_.size());
  link.name_length = static_cast<std::uint16_t>(units);
  append_utf16le_units(names_, view.value.subspan(sizeof(disk::FileNameValue), 2 * units));
  links_.push_back(link);
}

void Catalog::sort_links(const Volume& volume) {
  // Links are placed by parent with a counting sort; each directory's names are then put
  // in collation order (upper-cased through $UpCase, then as stored). Names created in
  // order are often in order already.
  const std::size_t count = entries_.size();
  std::vector<std::size_t> starts(count + 2, 0);
  for (const Link& link : links_) ++starts[std::min<std::uint64_t>(link.parent, count) + 1];
  for (std::size_t i = 1; i < starts.size(); ++i) starts[i] += starts[i - 1];
  std::vector<Link> placed(links_.size());
  std::vector<std::size_t> next(starts.begin(), starts.end() - 1);
  for (Link& link : links_) placed[next[std::min<std::uint64_t>(link.parent, count)]++] = std::move(link);
  links_ = std::move(placed);

  const auto before = [&](const Link& a, const Link& b) {
    const std::u16string_view x = name_of(a);
    const std::u16string_view y = name_of(b);
    const std::size_t length = std::min(x.size(), y.size());
    for (std::size_t i = 0; i < length; ++i) {
      const char16_t folded_x = volume.upcase(x[i]);
      const char16_t folded_y = volume.upcase(y[i]);
      if (folded_x != folded_y) return folded_x < folded_y;
    }
    if (x.size() != y.size()) return x.size() < y.size();
    return x < y;
  };
  for (std::size_t parent = 0; parent <= count; ++parent) {
    const auto first = links_.begin() + static_cast<std::ptrdiff_t>(starts[parent]);
    const auto last = links_.begin() + static_cast<std::ptrdiff_t>(starts[parent + 1]);
    if (last - first > 1 && !std::is_sorted(first, last, before)) std::sort(first, last, before);
  }
  first_link_.assign(count, no_link);
  for (std::size_t i = 0; i < links_.size(); ++i) {
    if (links_[i].record < count && first_link_[links_[i].record] == no_link) first_link_[links_[i].record] = i;
  }
}

const Catalog::Entry* Catalog::find(std::uint64_t record) const {
  return record < entries_.size() && entries_[record].present ? &entries_[record] : nullptr;
}

std::string Catalog::path_of(std::uint64_t record) const {
  std::vector<std::string> parts;
  std::set<std::uint64_t> seen;
  while (record != root_directory_record) {
    if (find(record) == nullptr || first_link_[record] == no_link || !seen.insert(record).second) {
      return {};
    }
    const Link& link = links_[first_link_[record]];
    parts.push_back(utf16_to_utf8(name_of(link)));
    record = link.parent;
  }
  std::string path;
  for (auto part = parts.rbegin(); part != parts.rend(); ++part) path += "/" + *part;
  return path.empty() ? "/" : path;
}

void Catalog::walk(std::uint64_t directory, const std::string& path, bool recursive,
                   const std::function<void(const ListedEntry&)>& visit) const {
  std::set<std::uint64_t> visited;  // hard-linked or looping directories are entered once
  std::function<void(std::uint64_t, const std::string&)> descend =
      [&](std::uint64_t record, const std::string& here) {
        const Entry* parent = find(record);
        if (parent == nullptr || !visited.insert(record).second) return;
        auto link = std::lower_bound(links_.begin(), links_.end(), record,
                                     [](const Link& l, std::uint64_t p) { return l.parent < p; });
        ListedEntry listed;  // one per level, reused: its strings keep their capacity
        for (; link != links_.end() && link->parent == record; ++link) {
          // A name whose parent reference is stale (an older file in that record) is not
          // in that directory any more.
          if (link->parent_sequence != 0 && link->parent_sequence != parent->file.sequence) continue;
          const Entry& entry = entries_[link->record];
          listed.name.clear();
          append_utf16_as_utf8(listed.name, name_of(*link));
          listed.path.assign(here == "/" ? std::string_view() : std::string_view(here));
          listed.path += '/';
          listed.path += listed.name;
          listed.file = entry.file;
          listed.is_directory = entry.is_directory;
          listed.size = entry.is_directory ? 0 : entry.size;
          listed.streams = entry.streams;
          listed.times = entry.times;
          listed.file_attributes = entry.file_attributes;
          visit(listed);
          if (recursive && listed.is_directory) descend(link->record, listed.path);
        }
      };
  descend(directory, path);
}

}  // namespace diskimg::ntfs
