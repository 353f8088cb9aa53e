#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_sink.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace diskimg {

FileSink::FileSink(const std::filesystem::path& path, Mode mode) : path_(path) {
  const int flags = mode == Mode::create_new ? O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC
                                             : O_RDWR | O_CLOEXEC;
  descriptor_ = ::open(path.c_str(), flags, 0644);
  if (descriptor_ < 0) {
    const int error = errno;
    if (error == EEXIST) {
      throw IoError(fmt::format("{}: already exists; not overwritten", path.string()));
    }
    throw IoError(fmt::format("{}: cannot open for writing: {}", path.string(), std::strerror(error)));
  }
}

FileSink::~FileSink() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void FileSink::write(std::uint64_t offset, std::span<const std::byte> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t wrote = ::pwrite(descriptor_, data.data() + done, data.size() - done,
                                   static_cast<off_t>(offset + done));
    if (wrote < 0) {
      if (errno == EINTR) continue;
      throw IoError(fmt::format("{}: write of {} bytes at offset {:#x} failed: {}", name(),
                                data.size() - done, offset + done, std::strerror(errno)));
    }
    done += static_cast<std::size_t>(wrote);
  }
}

void FileSink::read(std::uint64_t offset, std::span<std::byte> buffer) {
  std::size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t got = ::pread(descriptor_, buffer.data() + done, buffer.size() - done,
                                static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw IoError(fmt::format("{}: read at offset {:#x} failed: {}", name(), offset + done,
                                std::strerror(errno)));
    }
    if (got == 0) {
      std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(done), buffer.end(), std::byte{0});
      return;
    }
    done += static_cast<std::size_t>(got);
  }
}

std::uint64_t FileSink::size() {
  struct stat status {};
  if (::fstat(descriptor_, &status) != 0) {
    throw IoError(fmt::format("{}: cannot stat: {}", name(), std::strerror(errno)));
  }
  return static_cast<std::uint64_t>(status.st_size);
}

void FileSink::sync() {
  if (::fdatasync(descriptor_) != 0) {
    throw IoError(fmt::format("{}: flushing to disk failed: {}", name(), std::strerror(errno)));
  }
}

}  // namespace diskimg
