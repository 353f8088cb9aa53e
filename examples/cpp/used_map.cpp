// The used clusters of a disk's NTFS volume (number VOLUME), from its $Bitmap, as extents.
// Usage: used_map SOURCE VOLUME
#include <diskimg/diskimg.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  try {
    const diskimg::Disk disk = diskimg::Disk::open(argv[1]);
    const diskimg::Volume& volume = disk.select_volume(std::stoul(argv[2]), diskimg::FilesystemKind::ntfs);
    const auto ntfs = diskimg::ntfs::Volume::open(volume.bytes);
    const diskimg::UsedMap map = diskimg::UsedMap::read(*ntfs);
    std::cout << map.used_clusters() << " of " << map.total_clusters() << " clusters of " << map.cluster_size()
              << " bytes in use\n";
    map.for_each_extent([](const diskimg::ClusterExtent& extent) {
      std::cout << extent.first << ' ' << extent.count << '\n';
    });
  } catch (const diskimg::Error& error) {
    std::cerr << error.what() << '\n';
    return 1;
  }
  return 0;
}
