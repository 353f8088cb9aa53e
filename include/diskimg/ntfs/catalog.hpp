// A catalog of a whole volume built in one pass over the MFT: every in-use file with its
// names (hard links included), parent directories, sizes and named streams. Listing the
// whole tree or naming any record by path is then a lookup, not a directory walk.
#pragma once

#include <diskimg/ntfs/listing.hpp>

#include <functional>
#include <string>
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
  // Records scanned, and how many of them were in use.
  std::uint64_t records_scanned() const { return records_scanned_; }
  std::uint64_t records_in_use() const { return records_in_use_; }

 private:
  Catalog() = default;
  struct Child {
    const Name* name;
    const Entry* entry;
  };
  void add_attribute(const Volume& volume, Entry& entry, const Attribute& attribute);
  void index_children(const Volume& volume);

  // Indexed by record number; records that are not in-use base records have no names
  // and file.record 0 (record 0 itself is $MFT, whose entry is filled in).
  std::vector<Entry> entries_;
  std::vector<bool> present_;
  // Every (parent, name, entry), sorted by parent then collation order: a directory's
  // children are one contiguous range.
  struct Link {
    std::uint64_t parent;
    Child child;
  };
  std::vector<Link> links_;
  std::vector<std::string> warnings_;
  std::uint64_t records_scanned_ = 0;
  std::uint64_t records_in_use_ = 0;
};

}  // namespace diskimg::ntfs
