#include <diskimg/diskimg.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    const diskimg::Disk disk = diskimg::Disk::open(argv[1]);
    std::cout << to_string(disk.layout().scheme) << ' ' << disk.volumes().size() << '\n';
  } catch (const diskimg::Error& error) {
    std::cerr << error.what() << '\n';
    return 1;
  }
  return 0;
}
