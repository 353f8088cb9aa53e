// Directory listings as `diskimg ls` and Python's listdir/walk show them: names with their
// record, kind, size and named streams, one directory or a whole subtree.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/listed_entry.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <functional>
#include <string>
#include <vector>

namespace diskimg::ntfs {

// Summarises one directory entry, reading the file's record for its sizes.
ListedEntry describe_entry(const Volume& volume, const DirectoryEntry& entry,
                           const std::string& parent_path);

// Calls `visit` for each entry of the directory at `path` ("." and ".." left out) and, when
// `recursive`, of every directory below it, depth first in index order. A directory that
// cannot be read adds a message to `warnings` and is skipped; the rest is still listed.
void walk_directory(const Volume& volume, const std::string& path, bool recursive,
                    const std::function<void(const ListedEntry&)>& visit,
                    Warnings& warnings);

}  // namespace diskimg::ntfs
