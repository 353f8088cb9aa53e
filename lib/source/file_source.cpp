#include "source/page_cache.hpp"
#include "source/transfer.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/source/file_source.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace diskimg {
namespace {

std::string system_message(int error) { return std::strerror(error); }

}  // namespace

FileSource::FileSource(const std::filesystem::path& path) : path_(path), pages_(std::make_unique<PageCache>()) {
  descriptor_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor_ < 0) {
    throw IoError(fmt::format("{}: cannot open: {}", path.string(), system_message(errno)));
  }
  struct stat status {};
  if (::fstat(descriptor_, &status) != 0) {
    const int error = errno;
    ::close(descriptor_);
    throw IoError(fmt::format("{}: cannot stat: {}", path.string(), system_message(error)));
  }
  identity_ = {static_cast<std::uint64_t>(status.st_dev), static_cast<std::uint64_t>(status.st_ino)};
  if (S_ISBLK(status.st_mode)) {
    std::uint64_t bytes = 0;
    int logical_sector = 512;
    if (::ioctl(descriptor_, BLKGETSIZE64, &bytes) != 0 ||
        ::ioctl(descriptor_, BLKSSZGET, &logical_sector) != 0) {
      const int error = errno;
      ::close(descriptor_);
      throw IoError(fmt::format("{}: cannot query block device size: {}", path.string(),
                                system_message(error)));
    }
    size_ = bytes;
    sector_size_ = static_cast<std::uint32_t>(logical_sector);
  } else if (S_ISREG(status.st_mode)) {
    size_ = static_cast<std::uint64_t>(status.st_size);
  } else {
    ::close(descriptor_);
    throw IoError(fmt::format("{}: not a regular file or block device", path.string()));
  }
}

FileSource::~FileSource() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void FileSource::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  if (buffer.size() > PageCache::served_read) {
    pread_all(offset, buffer);
    return;
  }
  try {
    pages_->read(offset, buffer, size_, [this](std::uint64_t at, std::span<std::byte> part) { pread_all(at, part); });
  } catch (const IoError&) {
    // What failed may be a page around the bytes asked for: they alone decide (a bad
    // sector beside them must not fail the read, and an error names their offset).
    pread_all(offset, buffer);
  }
}

void FileSource::pread_all(std::uint64_t offset, std::span<std::byte> buffer) const {
  const Transfer got = transfer_all(buffer.size(), [&](std::size_t done) {
    return ::pread(descriptor_, buffer.data() + done, buffer.size() - done,
                   static_cast<off_t>(offset + done));
  });
  const std::uint64_t at = offset + got.done;
  if (got.error != 0) {
    throw IoError(fmt::format("{}: read error at offset {:#x}: {}", name(), at,
                              system_message(got.error)),
                  {name(), at});
  }
  if (got.done < buffer.size()) {
    throw IoError(fmt::format("{}: short read at offset {:#x}: the file ended early "
                              "(was it truncated while open?)", name(), at),
                  {name(), at});
  }
}

}  // namespace diskimg

namespace diskimg {

// SEEK_DATA and SEEK_HOLE (Linux 3.1): holes of a sparse image need not be read. A file
// system without them reports the whole file as data, which is always correct.
std::uint64_t FileSource::next_data(std::uint64_t offset) const {
  if (offset >= size_) return size_;
  const off_t found = ::lseek(descriptor_, static_cast<off_t>(offset), SEEK_DATA);
  if (found < 0) return errno == ENXIO ? size_ : offset;
  return std::min<std::uint64_t>(static_cast<std::uint64_t>(found), size_);
}

std::uint64_t FileSource::next_hole(std::uint64_t offset) const {
  if (offset >= size_) return size_;
  const off_t found = ::lseek(descriptor_, static_cast<off_t>(offset), SEEK_HOLE);
  if (found < 0) return size_;
  return std::min<std::uint64_t>(static_cast<std::uint64_t>(found), size_);
}

void FileSource::will_need(std::uint64_t offset, std::uint64_t length) const {
  if (offset >= size_ || length == 0) return;
  length = std::min(length, size_ - offset);
  (void)::posix_fadvise(descriptor_, static_cast<off_t>(offset), static_cast<off_t>(length), POSIX_FADV_WILLNEED);
}

}  // namespace diskimg
