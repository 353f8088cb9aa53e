/// @file
/// A file or block device read with pread(2): images of any size, thread-safe reads.
#pragma once

#include <diskimg/source/byte_source.hpp>

#include <filesystem>
#include <memory>

namespace diskimg {

class PageCache;

/// Which file an open descriptor refers to, whatever path reached it (hard links, bind
/// mounts, symbolic links): its device and inode. A plain value.
struct FileIdentity {
  std::uint64_t device = 0;  ///< st_dev
  std::uint64_t inode = 0;   ///< st_ino
  /// Both fields equal: the same file.
  bool operator==(const FileIdentity&) const = default;
};

/// A file or block device read with pread(2). Owns its read-only descriptor, closed when
/// the source is destroyed, and the last 64 pages of 4 KiB that small reads touched (what
/// the layers read while a disk is opened then comes from the disk once). Reads may come
/// from several threads at once: pread has no shared file position, the pages are locked.
/// The size is taken when the file is opened, and the file must not change while open.
class FileSource final : public ByteSource {
 public:
  /// Opens read-only. A block device reports its own size and logical sector size; a
  /// regular file reports 512-byte sectors. Throws IoError when the path cannot be opened
  /// or queried, or is neither a regular file nor a block device.
  explicit FileSource(const std::filesystem::path& path);
  /// Closes the descriptor.
  ~FileSource() override;
  /// Not copyable: the source owns its descriptor.
  FileSource(const FileSource&) = delete;
  /// Not assignable: the source owns its descriptor.
  FileSource& operator=(const FileSource&) = delete;

  /// The size when the file was opened.
  std::uint64_t size() const override { return size_; }
  /// The block device's logical sector size, or 512 for a file.
  std::uint32_t sector_size() const override { return sector_size_; }
  /// The path, as given.
  std::string name() const override { return path_.string(); }
  /// The path, as given.
  const std::filesystem::path& path() const { return path_; }
  /// The file the descriptor refers to, taken when it was opened (loops through links are
  /// found by it).
  const FileIdentity& identity() const { return identity_; }
  /// Through SEEK_DATA: the holes of a sparse file need not be read. A file system without
  /// it reports the whole file as data, which is always correct.
  std::uint64_t next_data(std::uint64_t offset) const override;
  /// Through SEEK_HOLE; the file's end when the file system cannot tell.
  std::uint64_t next_hole(std::uint64_t offset) const override;
  /// posix_fadvise(POSIX_FADV_WILLNEED): the kernel starts reading the range into the page
  /// cache and returns at once. Errors are ignored (a hint).
  void will_need(std::uint64_t offset, std::uint64_t length) const override;

 protected:
  /// pread until all is read (EINTR retried); reads of up to 256 KiB through the kept
  /// pages. Throws IoError naming the offset of a read error (of the bytes asked for, not
  /// of a page around them), or of a short read when the file ended early (truncated while
  /// open).
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  void pread_all(std::uint64_t offset, std::span<std::byte> buffer) const;

  std::filesystem::path path_;
  int descriptor_ = -1;
  std::uint64_t size_ = 0;
  std::uint32_t sector_size_ = 512;
  FileIdentity identity_;
  std::unique_ptr<PageCache> pages_;
};

}  // namespace diskimg
