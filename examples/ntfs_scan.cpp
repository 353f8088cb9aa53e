// diskimg-ntfs-scan: reads every MFT record of an NTFS volume and lists the whole tree,
// reporting counts and rates. A small program over the public headers, and the tool the
// NTFS benchmark (tests/bench/ntfs_tree.sh) times.
//
//   diskimg-ntfs-scan IMAGE [VOLUME_INDEX]
#include <diskimg/disk/disk.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/catalog.hpp>

#include <chrono>
#include <iostream>
#include <string>

#include <fmt/format.h>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: diskimg-ntfs-scan IMAGE [VOLUME_INDEX]\n";
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const diskimg::Disk disk = diskimg::Disk::open(argv[1]);
    std::optional<unsigned> index;
    if (argc == 3) index = static_cast<unsigned>(std::stoul(argv[2]));
    const auto& volume = disk.select_volume(index, diskimg::FilesystemKind::ntfs);
    const auto ntfs = diskimg::ntfs::Volume::open(volume.bytes);

    // One pass over the MFT reads every record; the tree is then listed from it.
    const auto catalog = diskimg::ntfs::Catalog::build(*ntfs);
    const std::uint64_t records = catalog.records_scanned();
    const std::uint64_t in_use = catalog.records_in_use();
    const std::size_t broken = catalog.warnings().size();
    const auto scanned = std::chrono::steady_clock::now();

    std::uint64_t entries = 0, directories = 0;
    catalog.walk(diskimg::ntfs::root_directory_record, "/", true,
                 [&](const diskimg::ntfs::ListedEntry& entry) {
                   ++entries;
                   if (entry.is_directory) ++directories;
                 });
    const auto listed = std::chrono::steady_clock::now();

    const double scan_seconds = std::chrono::duration<double>(scanned - start).count();
    const double list_seconds = std::chrono::duration<double>(listed - scanned).count();
    fmt::print("records {} in_use {} unreadable {} scan_seconds {:.3f} records_per_second {:.0f}\n",
               records, in_use, broken, scan_seconds, static_cast<double>(records) / std::max(scan_seconds, 1e-9));
    fmt::print("entries {} directories {} list_seconds {:.3f} entries_per_second {:.0f}\n",
               entries, directories, list_seconds,
               static_cast<double>(entries) / std::max(list_seconds, 1e-9));
  } catch (const diskimg::Error& error) {
    std::cerr << "diskimg-ntfs-scan: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
