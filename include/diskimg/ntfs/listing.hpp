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

// One directory of a tree walk: its path, and the entries of its subdirectories and of its
// other files, each in index order.
struct WalkedDirectory {
  std::string path;
  std::vector<ListedEntry> directories;
  std::vector<ListedEntry> files;
};

// The directory at `top` and every directory below it, top-down, each before the ones below
// it and in the depth-first order of walk_directory (the order os.walk visits them). Built
// from one recursive walk_directory; a directory that cannot be read adds to `warnings`.
std::vector<WalkedDirectory> walk_tree(const Volume& volume, std::string top, Warnings& warnings);

}  // namespace diskimg::ntfs
