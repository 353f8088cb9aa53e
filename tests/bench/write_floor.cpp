// Benchmark helper (not a test): what writing a tree alone costs, for tests/bench/extract.sh.
// Writes files of the sizes found under TREE into TARGET, nothing read: per file one
// openat, 128 KiB pwrites from one page-aligned buffer, one close, a directory per thousand
// files. A reference for a restore's time, not a strict bound: runs of it vary by half on
// tmpfs here, so one run of a restore may come in under one of this. With `metadata`, each
// file also gets what diskimg extract sets on every file (docs/extract.md): three extended
// attributes (creation time, attribute flags, owner SID) and its times (futimens).
//
//   write_floor TREE TARGET [metadata]     (prints files, bytes and seconds)
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (argc == 4 && std::strcmp(argv[3], "metadata") != 0)) {
    std::fprintf(stderr, "usage: write_floor TREE TARGET [metadata]\n");
    return 2;
  }
  const bool metadata = argc == 4;
  std::vector<std::uintmax_t> sizes;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[1])) {
    if (entry.is_regular_file() && !entry.is_symlink()) sizes.push_back(entry.file_size());
  }
  constexpr std::size_t piece = 128 << 10;
  void* memory = nullptr;
  if (posix_memalign(&memory, 4096, piece) != 0) return 1;
  std::memset(memory, 0x5a, piece);
  const std::string target = argv[2];
  std::uintmax_t bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  if (mkdir(target.c_str(), 0755) != 0) return std::perror(argv[2]), 1;
  std::string directory;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (i % 1000 == 0) {
      directory = target + "/d" + std::to_string(i / 1000);
      if (mkdir(directory.c_str(), 0755) != 0) return std::perror(directory.c_str()), 1;
    }
    const std::string path = directory + "/f" + std::to_string(i);
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return std::perror(path.c_str()), 1;
    for (std::uintmax_t offset = 0; offset < sizes[i]; offset += piece) {
      const std::size_t length = static_cast<std::size_t>(std::min<std::uintmax_t>(piece, sizes[i] - offset));
      if (pwrite(fd, memory, length, static_cast<off_t>(offset)) != static_cast<ssize_t>(length)) {
        return std::perror(path.c_str()), 1;
      }
    }
    if (metadata) {
      const unsigned char crtime[8] = {0x00, 0x80, 0x3e, 0xd5, 0xde, 0xb1, 0x9d, 0x01};
      const unsigned char attrib[4] = {0x20, 0, 0, 0};
      const char owner[] = "S-1-5-32-544";
      const timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
      if (fsetxattr(fd, "user.ntfs.crtime", crtime, sizeof crtime, 0) != 0 ||
          fsetxattr(fd, "user.ntfs.attrib", attrib, sizeof attrib, 0) != 0 ||
          fsetxattr(fd, "user.ntfs.owner", owner, sizeof owner - 1, 0) != 0 || futimens(fd, times) != 0) {
        return std::perror(path.c_str()), 1;
      }
    }
    if (close(fd) != 0) return std::perror(path.c_str()), 1;
    bytes += sizes[i];
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::printf("%zu files, %ju bytes, %.3f s\n", sizes.size(), bytes, took.count());
  return 0;
}
