// One entry of a directory listing, as `Catalog` and the listing functions hand it out:
// a name with its record, kind, size and named streams.
#pragma once

#include <diskimg/ntfs/attribute.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace diskimg::ntfs {

struct StreamInfo {
  std::string name;
  std::uint64_t size = 0;
};

struct ListedEntry {
  std::string name;
  std::string path;           // from the root, "/dir/name"
  RecordReference file;
  bool is_directory = false;
  std::uint64_t size = 0;     // the unnamed $DATA's size (0 for directories)
  std::vector<StreamInfo> streams;  // named $DATA streams
};

}  // namespace diskimg::ntfs
