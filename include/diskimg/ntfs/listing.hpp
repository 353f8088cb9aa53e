/// @file
/// Directory listings: names with their record, kind, size and named streams, one
/// directory or a whole subtree.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/listed_entry.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <functional>
#include <string>
#include <vector>

namespace diskimg::ntfs {

/// Summarises one directory entry, reading the file's record for its sizes. Throws what
/// Volume::read_file throws.
ListedEntry describe_entry(const Volume& volume, const DirectoryEntry& entry,
                           const std::string& parent_path);
/// The same from the entry's file, already read. Never throws a diskimg::Error.
ListedEntry describe_file(const File& file, const DirectoryEntry& entry, const std::string& parent_path);

/// Calls `visit` for each entry of the directory at `path` ("." and ".." left out) and, when
/// `recursive`, of every directory below it, depth first in index order. A recursive walk
/// lists from one Catalog: records that cannot be read add to `warnings` and are left out,
/// and what `visit` throws ends the walk. A walk of one directory reads each entry's record:
/// an entry that cannot be described adds to `warnings` and is skipped, and so is one for
/// which `visit` throws a diskimg::Error; the rest is still listed.
///
/// Throws NotFoundError when `path` does not exist or is not a directory, FormatError when
/// it or (for one directory) its index cannot be read, IoError when the volume cannot be
/// read.
void walk_directory(const Volume& volume, const std::string& path, bool recursive,
                    const std::function<void(const ListedEntry&)>& visit,
                    Warnings& warnings);

/// One directory of a tree walk: its path, and the entries of its subdirectories and of its
/// other files, each in index order.
struct WalkedDirectory {
  std::string path;                      ///< from the root, "/dir"
  std::vector<ListedEntry> directories;  ///< its subdirectories
  std::vector<ListedEntry> files;        ///< its other entries
};

/// The directory at `top` and every directory below it, top-down: each before the ones below
/// it, in the depth-first order of walk_directory. Built from one recursive walk_directory;
/// records that cannot be read add to `warnings`. Throws as walk_directory does.
std::vector<WalkedDirectory> walk_tree(const Volume& volume, std::string top, Warnings& warnings);

}  // namespace diskimg::ntfs
