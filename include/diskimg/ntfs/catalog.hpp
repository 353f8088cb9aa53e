// A catalog of a whole volume built in one pass over the MFT: every in-use file with its
// names (hard links included), parent directories, sizes and named streams. Listing the
// whole tree or naming any record by path is then a lookup, not a directory walk.
#pragma once

#include <diskimg/ntfs/listing.hpp>

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace diskimg::ntfs {

class Catalog {
 public:
  // Scans every record. Child records are folded into their base records; records that
  // cannot be read add a warning.
  static Catalog build(const Volume& volume);
  Catalog(Catalog&&) = default;
  Catalog& operator=(Catalog&&) = default;
  Catalog(const Catalog&) = delete;  // children point into entries
  Catalog& operator=(const Catalog&) = delete;

  struct Name {
    std::string name;
    std::u16string folded;   // upper-cased through $UpCase: the index collation key
    RecordReference parent;
  };
  struct Entry {
    RecordReference file;
    bool is_directory = false;
    std::uint64_t size = 0;              // unnamed $DATA
    std::vector<StreamInfo> streams;     // named $DATA
    std::vector<Name> names;             // Win32 and POSIX names; DOS aliases left out
  };

  const Entry* find(std::uint64_t record) const;
  // The first path that reaches a record from the root, "" when none does.
  std::string path_of(std::uint64_t record) const;
  // Like walk_directory: the entries below `directory` (whose path is `path`) in index
  // order, depth first when `recursive`.
  void walk(std::uint64_t directory, const std::string& path, bool recursive,
            const std::function<void(const ListedEntry&)>& visit) const;

  const std::vector<std::string>& warnings() const { return warnings_; }
  std::size_t size() const { return entries_.size(); }

 private:
  Catalog() = default;
  struct Child {
    const Name* name;
    const Entry* entry;
  };
  void add_attribute(const Volume& volume, Entry& entry, const Attribute& attribute);
  void index_children(const Volume& volume);

  std::unordered_map<std::uint64_t, Entry> entries_;
  std::unordered_map<std::uint64_t, std::vector<Child>> children_;  // sorted by name
  std::vector<std::string> warnings_;
};

}  // namespace diskimg::ntfs
