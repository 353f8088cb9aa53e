// A file or block device read with pread(2): images of any size, thread-safe reads.
#pragma once

#include <diskimg/source/byte_source.hpp>

#include <filesystem>

namespace diskimg {

// Which file an open descriptor refers to, whatever path reached it (hard links, bind
// mounts, symbolic links): its device and inode.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

class FileSource final : public ByteSource {
 public:
  // Opens read-only. A block device reports its own size and logical sector size.
  explicit FileSource(const std::filesystem::path& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::uint64_t size() const override { return size_; }
  std::uint32_t sector_size() const override { return sector_size_; }
  std::string name() const override { return path_.string(); }
  const std::filesystem::path& path() const { return path_; }
  const FileIdentity& identity() const { return identity_; }
  std::uint64_t next_data(std::uint64_t offset) const override;
  std::uint64_t next_hole(std::uint64_t offset) const override;

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  std::filesystem::path path_;
  int descriptor_ = -1;
  std::uint64_t size_ = 0;
  std::uint32_t sector_size_ = 512;
  FileIdentity identity_;
};

}  // namespace diskimg
