// List a directory of a disk's NTFS volume (number VOLUME) and copy one file's bytes to
// standard output.  Usage: ntfs_files SOURCE VOLUME DIRECTORY [FILE]
#include <diskimg/diskimg.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) return 2;
  try {
    const diskimg::Disk disk = diskimg::Disk::open(argv[1]);
    const diskimg::Volume& volume = disk.select_volume(std::stoul(argv[2]), diskimg::FilesystemKind::ntfs);
    const auto ntfs = diskimg::ntfs::Volume::open(volume.bytes);
    if (argc == 4) {
      diskimg::Warnings warnings;
      diskimg::ntfs::walk_directory(*ntfs, argv[3], false, [](const diskimg::ntfs::ListedEntry& entry) {
        std::cout << (entry.is_directory ? "d " : "- ") << entry.file.record << ' ' << entry.size << ' '
                  << entry.name << ' ' << diskimg::ntfs::filetime_to_iso8601(entry.times.modified) << '\n';
      }, warnings);
      return 0;
    }
    const diskimg::ntfs::File file = ntfs->open_path(argv[4]);
    const auto stream = ntfs->open_stream(file, diskimg::ntfs::AttributeType::data);  // the unnamed $DATA
    std::vector<std::byte> buffer(1 << 20);
    for (std::uint64_t offset = 0; offset < stream->size(); offset += buffer.size()) {
      const auto piece = std::span(buffer).first(std::min<std::uint64_t>(buffer.size(), stream->size() - offset));
      stream->read(offset, piece);
      std::fwrite(piece.data(), 1, piece.size(), stdout);
    }
  } catch (const diskimg::Error& error) {
    std::cerr << error.what() << '\n';
    return 1;
  }
  return 0;
}
