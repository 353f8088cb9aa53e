/// @file
/// One entry of a directory listing, as `Catalog` and the listing functions hand it out:
/// a name with its record, kind, size and named streams.
#pragma once

#include <diskimg/ntfs/file_name.hpp>
#include <diskimg/ntfs/attribute.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace diskimg::ntfs {

/// A named $DATA stream (an alternate data stream) and its size.
struct StreamInfo {
  std::string name;        ///< UTF-8
  std::uint64_t size = 0;  ///< bytes
};

/// One entry of a directory listing: a plain value.
struct ListedEntry {
  std::string name;           ///< UTF-8, as the directory index holds it
  std::string path;           ///< from the root, "/dir/name"
  RecordReference file;       ///< the file's record and sequence number
  bool is_directory = false;  ///< the file is a directory
  std::uint64_t size = 0;     ///< the unnamed $DATA's size (0 for directories)
  std::vector<StreamInfo> streams;  ///< named $DATA streams
  FileTimes times;                  ///< $STANDARD_INFORMATION's (zeros when it has none)
  Flags<FileAttribute> file_attributes;  ///< $STANDARD_INFORMATION's (none when it has none)
};

}  // namespace diskimg::ntfs
