// Open a disk image, block device, VHD or VHDX (through its chain) and print its partitions
// and volumes.  Usage: disk_layout SOURCE
#include <diskimg/diskimg.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    const diskimg::Disk disk = diskimg::Disk::open(argv[1]);
    std::cout << "scheme " << to_string(disk.layout().scheme) << ", " << disk.size() << " bytes, "
              << disk.sector_size() << "-byte sectors\n";
    for (const diskimg::Partition& partition : disk.layout().partitions) {
      std::cout << "partition " << partition.number << " at " << partition.start << ", " << partition.size
                << " bytes, type " << partition.type() << '\n';
    }
    for (const diskimg::Volume& volume : disk.volumes()) {
      std::cout << "volume " << volume.index << " (" << volume.origin_name() << ") "
                << to_string(volume.filesystem) << ", " << volume.size << " bytes\n";
    }
    for (const diskimg::Warning& warning : disk.warnings()) std::cerr << "warning: " << warning.what << '\n';
  } catch (const diskimg::Error& error) {
    std::cerr << error.what() << '\n';
    return 1;
  }
  return 0;
}
