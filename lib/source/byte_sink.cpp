#include "source/transfer.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_sink.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace diskimg {

FileSink::FileSink(const std::filesystem::path& path, Mode mode,
                   std::optional<std::filesystem::perms> permissions)
    : path_(path) {
  const int flags = mode == Mode::create_new ? O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC
                                             : O_RDWR | O_CLOEXEC;
  const auto bits = permissions ? static_cast<mode_t>(*permissions & std::filesystem::perms::all) : mode_t{0644};
  // Created with at most the owner's bits of those asked for, then given them exactly.
  descriptor_ = ::open(path.c_str(), flags, permissions ? bits & 0600 : bits);
  if (descriptor_ < 0) {
    const int error = errno;
    if (error == EEXIST) {
      throw IoError(fmt::format("{}: already exists; not overwritten", path.string()));
    }
    throw IoError(fmt::format("{}: cannot open for writing: {}", path.string(), std::strerror(error)));
  }
  // One writer at a time: two processes (or two sinks) writing the same image would mix
  // their BATs and blocks. The lock is advisory, as qemu's are, and goes with the descriptor.
  if (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(descriptor_);
    if (mode == Mode::create_new) ::unlink(path.c_str());
    throw IoError(fmt::format("{}: {}", path.string(),
                              error == EWOULDBLOCK ? "in use: another writer has it open (locked)"
                                                   : fmt::format("cannot lock for writing: {}", std::strerror(error))));
  }
  if (mode == Mode::create_new && permissions && ::fchmod(descriptor_, bits) != 0) {
    const int error = errno;
    ::close(descriptor_);
    ::unlink(path.c_str());
    throw IoError(fmt::format("{}: cannot set permissions {:04o}: {}", path.string(), bits, std::strerror(error)));
  }
}

FileSink::~FileSink() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void FileSink::write(std::uint64_t offset, std::span<const std::byte> data) {
  const Transfer written = transfer_all(data.size(), [&](std::size_t done) {
    return ::pwrite(descriptor_, data.data() + done, data.size() - done,
                    static_cast<off_t>(offset + done));
  });
  if (written.done < data.size()) {
    // A pwrite that moves nothing without an error is not expected; it fails all the same.
    throw IoError(fmt::format("{}: write of {} bytes at offset {:#x} failed: {}", name(),
                              data.size() - written.done, offset + written.done,
                              written.error != 0 ? std::strerror(written.error) : "no progress"));
  }
}

void FileSink::read(std::uint64_t offset, std::span<std::byte> buffer) {
  const Transfer got = transfer_all(buffer.size(), [&](std::size_t done) {
    return ::pread(descriptor_, buffer.data() + done, buffer.size() - done,
                   static_cast<off_t>(offset + done));
  });
  if (got.error != 0) {
    throw IoError(fmt::format("{}: read at offset {:#x} failed: {}", name(), offset + got.done,
                              std::strerror(got.error)));
  }
  // Past the end of the file: zeros, as a sparse file reads.
  std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(got.done), buffer.end(), std::byte{0});
}

std::uint64_t FileSink::size() {
  struct stat status {};
  if (::fstat(descriptor_, &status) != 0) {
    throw IoError(fmt::format("{}: cannot stat: {}", name(), std::strerror(errno)));
  }
  return static_cast<std::uint64_t>(status.st_size);
}

void FileSink::resize(std::uint64_t size) {
  if (size > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()) ||
      ::ftruncate(descriptor_, static_cast<off_t>(size)) != 0) {
    throw IoError(fmt::format("{}: cannot set the size to {} bytes: {}", name(), size, std::strerror(errno)),
                  {name(), size});
  }
}

void FileSink::sync() {
  if (::fdatasync(descriptor_) != 0) {
    throw IoError(fmt::format("{}: flushing to disk failed: {}", name(), std::strerror(errno)));
  }
}

}  // namespace diskimg
