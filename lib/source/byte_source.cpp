#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_source.hpp>

#include <fmt/format.h>

namespace diskimg {

void ByteSource::read(std::uint64_t offset, std::span<std::byte> buffer) const {
  const std::uint64_t total = size();
  if (offset > total || buffer.size() > total - offset) {
    throw IoError(fmt::format("{}: read of {} bytes at offset {:#x} runs past the end ({} bytes)",
                              name(), buffer.size(), offset, total),
                  {name(), offset});
  }
  if (!buffer.empty()) read_inside(offset, buffer);
}

std::vector<std::byte> ByteSource::read(std::uint64_t offset, std::size_t length) const {
  // The range first: a length read from disk may be far larger than the source.
  const std::uint64_t total = size();
  if (offset > total || length > total - offset) {
    throw IoError(fmt::format("{}: read of {} bytes at offset {:#x} runs past the end ({} bytes)",
                              name(), length, offset, total),
                  {name(), offset});
  }
  std::vector<std::byte> bytes;
  try {
    bytes.resize(length);
  } catch (const std::exception&) {  // bad_alloc, or length_error past the vector's maximum
    throw OutOfMemoryError(fmt::format("{}: cannot allocate {} bytes to read at offset {:#x} (out of memory)",
                                       name(), length, offset),
                           {name(), offset});
  }
  read(offset, std::span<std::byte>(bytes));
  return bytes;
}

}  // namespace diskimg
