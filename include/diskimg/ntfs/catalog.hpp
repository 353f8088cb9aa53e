/// @file
/// A catalog of a whole volume built in one pass over the MFT: every in-use file with its
/// names (hard links included), parent directories, sizes and named streams. Listing the
/// whole tree or naming any record by path is then a lookup, not a directory walk.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/listed_entry.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <functional>
#include <string>
#include <vector>

namespace diskimg::ntfs {

/// Every in-use file of a volume with its names, parents, sizes and named streams, from one
/// pass over the MFT. Owns copies of all it holds and keeps no reference to the volume, so
/// it may outlive it. Immutable once built: several threads may use one catalog at once.
/// Reflects the volume as it was when built.
class Catalog {
 public:
  /// Scans every record without copying attributes. Child records are folded into their
  /// base records; records that cannot be read add a warning (at most 100, then a count).
  /// Names are sorted through the volume's $UpCase. Throws IoError when the MFT cannot be
  /// read.
  static Catalog build(const Volume& volume);

  /// What the catalog knows of one record.
  struct Entry {
    RecordReference file;                ///< the record and its sequence number
    bool present = false;                ///< an in-use base record
    bool is_directory = false;           ///< the record holds a $I30 index
    std::uint64_t size = 0;              ///< the unnamed $DATA's size in bytes
    std::vector<StreamInfo> streams;     ///< named $DATA, by name
    FileTimes times;                     ///< $STANDARD_INFORMATION's
    Flags<FileAttribute> file_attributes;  ///< $STANDARD_INFORMATION's
  };

  /// The in-use base record `record`, or nullptr. Valid as long as the catalog.
  const Entry* find(std::uint64_t record) const;
  /// The first path that reaches a record from the root, "" when none does.
  std::string path_of(std::uint64_t record) const;
  /// Like walk_directory: the entries below `directory` (whose path is `path`) in index
  /// (collation) order, depth first when `recursive`. DOS 8.3 aliases are left out; a
  /// directory reached twice (hard links, loops) is entered once. Reads nothing; throws
  /// only what `visit` throws, after which the walk stops.
  void walk(std::uint64_t directory, const std::string& path, bool recursive,
            const std::function<void(const ListedEntry&)>& visit) const;

  /// Records that could not be read (at most 100, then a count of the rest) and names that
  /// run past their $FILE_NAME.
  const Warnings& warnings() const { return warnings_; }
  /// Records the scan went through: the whole MFT.
  std::uint64_t records_scanned() const { return records_scanned_; }
  /// Records marked in use, base and child records alike.
  std::uint64_t records_in_use() const { return records_in_use_; }

 private:
  // One name of one file in one directory (a $FILE_NAME); its UTF-16 units are in names_.
  struct Link {
    std::uint64_t parent = 0;
    std::uint64_t record = 0;
    std::uint32_t name_offset = 0;
    std::uint16_t name_length = 0;
    std::uint16_t parent_sequence = 0;
  };
  std::u16string_view name_of(const Link& link) const {
    return std::u16string_view(names_).substr(link.name_offset, link.name_length);
  }
  void add_data(Entry& entry, const AttributeView& view);
  static void add_standard_information(Entry& entry, const AttributeView& view);
  void add_name(std::uint64_t record, const AttributeView& view);
  void sort_links(const Volume& volume);

  std::vector<Entry> entries_;   // by record number
  std::vector<Link> links_;      // by parent, then in collation order
  std::u16string names_;         // every name's units, one after another
  std::vector<std::size_t> first_link_;  // per record: index into links_ of a name, or npos
  Warnings warnings_;
  std::uint64_t records_scanned_ = 0;
  std::uint64_t records_in_use_ = 0;
};

}  // namespace diskimg::ntfs
