// Directory indexes ($I30): $INDEX_ROOT and the INDX blocks of $INDEX_ALLOCATION.
#pragma once

#include <diskimg/ntfs/file_name.hpp>

#include <vector>

namespace diskimg::ntfs {

struct DirectoryEntry {
  RecordReference file;
  FileName name;   // the index key: a copy of the file's $FILE_NAME
};

}  // namespace diskimg::ntfs
