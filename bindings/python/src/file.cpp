// diskimg.File: a read-only, seekable binary file over a byte source (a disk, a volume, an
// NTFS stream), with the io.RawIOBase methods, so io.BufferedReader, shutil.copyfileobj and
// hashlib.file_digest take it. Reads go straight to the source without the GIL; nothing is
// loaded whole unless read() is asked for everything.
#include "bindings.hpp"
#include "file_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <pybind11/stl.h>

#include <unistd.h>

namespace diskimg::python {
namespace {

// lseek(2)'s whence values for data and holes, as Python's os.SEEK_DATA and os.SEEK_HOLE.
constexpr int seek_data = SEEK_DATA;
constexpr int seek_hole = SEEK_HOLE;

class File {
 public:
  explicit File(SourcePtr source) : source_(std::move(source)) {}

  std::uint64_t size() const { return open().size(); }
  std::string name() const { return open().name(); }
  bool closed() const { return source_ == nullptr; }
  void close() { source_.reset(); }
  std::uint64_t tell() const {
    open();
    return position_;
  }

  std::uint64_t seek(std::int64_t offset, int whence) {
    if (whence == seek_data || whence == seek_hole) return seek_data_or_hole(offset, whence);
    position_ = seek_position(offset, whence, tell(), size(), "0 (start), 1 (current), 2 (end), os.SEEK_DATA or os.SEEK_HOLE");
    return position_;
  }

  // os.SEEK_DATA and os.SEEK_HOLE, as lseek(2) has them on a sparse file: the next data at or
  // after `offset` (OSError ENXIO when there is none), or the next hole (the end counts as
  // one). The source says where its holes are (next_data/next_hole): sparse NTFS runs,
  // unallocated VHD blocks, holes in a sparse image file.
  std::uint64_t seek_data_or_hole(std::int64_t offset, int whence) {
    const ByteSource& source = open();
    if (offset < 0 || static_cast<std::uint64_t>(offset) >= source.size()) no_such_position();
    const auto from = static_cast<std::uint64_t>(offset);
    const std::uint64_t found = whence == seek_data ? source.next_data(from) : source.next_hole(from);
    if (found >= source.size() && whence == seek_data) no_such_position();
    position_ = found;
    return position_;
  }

  [[noreturn]] static void no_such_position() {
    errno = ENXIO;
    PyErr_SetFromErrno(PyExc_OSError);
    throw py::error_already_set();
  }

  // read(size=-1): up to `size` bytes from the position; everything left when negative.
  // A read inside a hole the source reports (a sparse run, an unallocated VHD block, blocks
  // a shadow copy had free) gives a bytes object of zeros kept from the last such read of
  // that length: bytes are immutable, so sharing one is safe, and reading a 64 GiB volume
  // that is mostly holes then costs no memory traffic. Small reads skip the question.
  py::bytes read(std::int64_t size) {
    const std::uint64_t left = remaining();
    const std::uint64_t wanted = size < 0 ? left : std::min(left, static_cast<std::uint64_t>(size));
    if (wanted >= shared_zeros_least && wanted <= shared_zeros_most &&
        open().next_data(position_) - position_ >= wanted) {
      position_ += wanted;
      return zeros(static_cast<std::size_t>(wanted));
    }
    return read_bytes(left, size, [this](std::span<std::byte> out) { fill(out); });
  }

  // readinto(buffer): fills a writable buffer from the position; returns the count.
  std::size_t readinto(const py::buffer& buffer) {
    return read_into(remaining(), buffer, [this](std::span<std::byte> out) { fill(out); });
  }

 private:
  const ByteSource& open() const {
    if (!source_) throw py::value_error("I/O operation on closed file");
    return *source_;
  }
  std::uint64_t remaining() const {
    const std::uint64_t total = size();
    return position_ < total ? total - position_ : 0;
  }
  void fill(std::span<std::byte> out) {
    // At or past the end nothing is read: read() gives b"" and the position stays, as for
    // every Python file (the source would refuse an offset past its end).
    if (out.empty()) return;
    // Copies first: another thread may seek or close this file while the GIL is released.
    const SourcePtr source = source_;
    const std::uint64_t position = position_;
    {
      py::gil_scoped_release unlocked;
      source->read(position, out);
    }
    position_ = position + out.size();
  }

  static constexpr std::uint64_t shared_zeros_least = 64 << 10;
  static constexpr std::uint64_t shared_zeros_most = 64 << 20;

  py::bytes zeros(std::size_t length) {
    if (!zeros_ || static_cast<std::size_t>(PyBytes_GET_SIZE(zeros_.ptr())) != length) {
      PyObject* bytes = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(length));
      if (bytes == nullptr) throw py::error_already_set();
      std::memset(PyBytes_AS_STRING(bytes), 0, length);
      zeros_ = py::reinterpret_steal<py::object>(bytes);
    }
    return py::reinterpret_borrow<py::bytes>(zeros_);
  }

  SourcePtr source_;
  std::uint64_t position_ = 0;
  py::object zeros_;  // the bytes the last read inside a hole gave; none at first
};

}  // namespace

py::object make_file(SourcePtr source) { return py::cast(File(std::move(source))); }


void bind_file(py::module_& module) {
  py::class_<File>(module, "File",
                   "A read-only, seekable binary file over a disk, a volume or an NTFS stream.\n"
                   "Registered as an io.RawIOBase, so io.BufferedReader and TextIOWrapper wrap it.")
      .def_property_readonly("size", &File::size, "The length in bytes.")
      .def_property_readonly("name", &File::name, "What the bytes are (a path, \"/dir/file:stream\").")
      .def_property_readonly("closed", &File::closed)
      .def_property_readonly("mode", [](const File&) { return "rb"; })
      .def("read", &File::read, py::arg("size") = -1,
           "Up to size bytes from the current position (all that is left when size < 0).")
      .def("readall", [](File& self) { return self.read(-1); }, "Everything from the position on.")
      .def("readinto", &File::readinto, py::arg("buffer"),
           "Fills a writable buffer (bytearray, memoryview) from the position; returns the count.")
      .def("seek", &File::seek, py::arg("offset"), py::arg("whence") = 0,
           "Moves the position: whence 0 from the start, 1 from here, 2 from the end; os.SEEK_DATA\n"
           "and os.SEEK_HOLE as on a sparse file (the next data, the next hole: sparse NTFS runs,\n"
           "unallocated VHD blocks), OSError(ENXIO) when there is no data after offset.")
      .def("tell", &File::tell)
      .def("close", &File::close)
      .def("readable", [](const File&) { return true; })
      .def("seekable", [](const File&) { return true; })
      .def("writable", [](const File&) { return false; })
      .def("isatty", [](const File&) { return false; })
      .def("flush", [](const File&) {})
      .def("fileno", [](const File&) -> int {
        PyErr_SetString(py::module_::import("io").attr("UnsupportedOperation").ptr(),
                        "diskimg.File has no file descriptor");
        throw py::error_already_set();
      })
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](File& self, py::args) { self.close(); })
      .def("__repr__", [](const File& self) {
        return self.closed() ? std::string("<diskimg.File closed>")
                             : "<diskimg.File " + self.name() + ", " + std::to_string(self.size()) + " bytes>";
      });
}

}  // namespace diskimg::python
