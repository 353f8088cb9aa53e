// Convert a disk into a dynamic VHD (or a VHDX: by the output's name) holding only what is
// in use, printing progress.  Usage: convert_disk SOURCE OUTPUT
#include <diskimg/diskimg.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  try {
    const diskimg::Disk disk = diskimg::Disk::open(argv[1]);
    diskimg::ConvertOptions options;
    options.verify = true;
    unsigned last_percent = 101;
    options.progress = [&](std::uint64_t done, std::uint64_t total) {
      const unsigned percent = total == 0 ? 100 : static_cast<unsigned>(done * 100 / total);
      if (percent / 25 != last_percent / 25) std::cerr << percent << "%\n";
      last_percent = percent;
      return true;  // false cancels: the partial output is removed
    };
    const diskimg::ConvertResult result = diskimg::convert(disk, argv[2], options);
    std::cout << to_string(result.format) << ' ' << result.virtual_size << ' ' << result.bytes_in_use << ' '
              << result.file_size << '\n';
  } catch (const diskimg::Error& error) {
    std::cerr << error.what() << '\n';
    return 1;
  }
  return 0;
}
