#include "file_io.hpp"

#include <algorithm>
#include <limits>

namespace diskimg::python {

std::uint64_t seek_position(std::int64_t offset, int whence, std::uint64_t current, std::uint64_t size,
                            const char* whences) {
  std::int64_t base = 0;
  if (whence == 1) base = static_cast<std::int64_t>(current);
  else if (whence == 2) base = static_cast<std::int64_t>(size);
  else if (whence != 0) throw py::value_error(std::string("seek: whence is ") + whences);
  if (offset < -base) throw py::value_error("seek: negative position");
  if (offset > 0 && base > std::numeric_limits<std::int64_t>::max() - offset) {
    throw py::value_error("seek: position past 2^63");
  }
  return static_cast<std::uint64_t>(base + offset);
}

py::bytes read_bytes(std::uint64_t remaining, std::int64_t size, const std::function<void(std::span<std::byte>)>& fill) {
  const std::uint64_t wanted = size < 0 ? remaining : std::min(remaining, static_cast<std::uint64_t>(size));
  if (wanted > static_cast<std::uint64_t>(std::numeric_limits<Py_ssize_t>::max())) {
    throw py::value_error("read: more bytes than a Python bytes object holds");
  }
  PyObject* bytes = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(wanted));
  if (bytes == nullptr) throw py::error_already_set();
  py::bytes result = py::reinterpret_steal<py::bytes>(bytes);
  fill(std::span(reinterpret_cast<std::byte*>(PyBytes_AS_STRING(bytes)), static_cast<std::size_t>(wanted)));
  return result;
}

std::size_t read_into(std::uint64_t remaining, const py::buffer& buffer,
                      const std::function<void(std::span<std::byte>)>& fill) {
  const py::buffer_info info = buffer.request(/*writable=*/true);
  if (!PyBuffer_IsContiguous(info.view(), 'C')) throw py::value_error("readinto: the buffer must be contiguous");
  const auto length = static_cast<std::size_t>(
      std::min<std::uint64_t>(remaining, static_cast<std::uint64_t>(info.size * info.itemsize)));
  fill(std::span(static_cast<std::byte*>(info.ptr), length));
  return length;
}

}  // namespace diskimg::python
