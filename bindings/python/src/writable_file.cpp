// diskimg.vhd.WritableFile: a VHD or VHDX open for writing ("r+"), as a seekable binary
// file that reads and writes the guest's bytes (io.RawIOBase's methods). Reads and writes
// go to the writer without the GIL, one at a time (the writer is not thread-safe).
#include "bindings.hpp"
#include "file_io.hpp"

#include <diskimg/source/image_writer.hpp>

#include <algorithm>
#include <limits>
#include <mutex>

namespace diskimg::python {
namespace {

class WritableFile {
 public:
  WritableFile(std::unique_ptr<ImageWriter> writer, std::string name)
      : state_(std::make_shared<State>(std::move(writer))), name_(std::move(name)) {}

  std::uint64_t size() const {
    const std::lock_guard lock(state_->mutex);  // close() may be running on another thread
    return open().size();
  }
  const std::string& name() const { return name_; }
  bool closed() const {
    const std::lock_guard lock(state_->mutex);
    return state_->writer == nullptr;
  }
  std::uint64_t tell() const {
    if (closed()) throw py::value_error("I/O operation on closed file");
    return position_;
  }

  std::uint64_t seek(std::int64_t offset, int whence) {
    position_ = seek_position(offset, whence, tell(), size(), "0 (start), 1 (current) or 2 (end)");
    return position_;
  }

  py::bytes read(std::int64_t size) {
    return read_bytes(remaining(), size, [this](std::span<std::byte> out) { transfer(out); });
  }

  std::size_t readinto(const py::buffer& buffer) {
    return read_into(remaining(), buffer, [this](std::span<std::byte> out) { transfer(out); });
  }

  // write(data): at the position; a disk does not grow, so writing past its end is an error.
  std::size_t write(py::buffer data) {
    const py::buffer_info info = data.request();
    if (!PyBuffer_IsContiguous(info.view(), 'C')) throw py::value_error("write: the buffer must be contiguous");
    const std::span bytes(static_cast<const std::byte*>(info.ptr), static_cast<std::size_t>(info.size * info.itemsize));
    const std::shared_ptr<State> state = state_;
    const std::uint64_t position = position_;
    {
      py::gil_scoped_release unlocked;
      const std::lock_guard lock(state->mutex);
      writer(*state).write(position, bytes);
    }
    position_ = position + bytes.size();
    return bytes.size();
  }

  void flush() {
    const std::shared_ptr<State> state = state_;
    py::gil_scoped_release unlocked;
    const std::lock_guard lock(state->mutex);
    if (state->writer) state->writer->flush();
  }

  void close() {
    const std::shared_ptr<State> state = state_;
    py::gil_scoped_release unlocked;
    const std::lock_guard lock(state->mutex);
    if (!state->writer) return;
    std::unique_ptr<ImageWriter> writer = std::move(state->writer);
    writer->close();
  }

 private:
  // Shared with calls in progress on other threads, which hold it while the GIL is released.
  struct State {
    explicit State(std::unique_ptr<ImageWriter> w) : writer(std::move(w)) {}
    // A file dropped without close() is closed here, so that what was written is kept (a
    // destructor cannot report a failure: close() does).
    ~State() {
      try {
        if (writer) writer->close();
      } catch (...) {
      }
    }
    std::mutex mutex;
    std::unique_ptr<ImageWriter> writer;
  };

  // Called without the GIL: py::value_error touches no Python object until it is translated.
  static ImageWriter& writer(State& state) {
    if (!state.writer) throw py::value_error("I/O operation on closed file");
    return *state.writer;
  }
  // With the mutex held.
  const ImageWriter& open() const {
    if (!state_->writer) throw py::value_error("I/O operation on closed file");
    return *state_->writer;
  }
  std::uint64_t remaining() const {
    const std::uint64_t total = size();
    return position_ < total ? total - position_ : 0;
  }
  void transfer(std::span<std::byte> out) {
    if (out.empty()) return;
    const std::shared_ptr<State> state = state_;
    const std::uint64_t position = position_;
    {
      py::gil_scoped_release unlocked;
      const std::lock_guard lock(state->mutex);
      writer(*state).read(position, out);
    }
    position_ = position + out.size();
  }

  std::shared_ptr<State> state_;
  std::string name_;
  std::uint64_t position_ = 0;
};

}  // namespace

py::object make_writable_file(std::unique_ptr<ImageWriter> writer, std::string name) {
  return py::cast(WritableFile(std::move(writer), std::move(name)));
}

void bind_writable_file(py::module_& vhd_module) {
  py::class_<WritableFile>(vhd_module, "WritableFile",
                           "A VHD or VHDX open for writing (diskimg.vhd.open(path, \"r+\")): a seekable binary\n"
                           "file of the guest's bytes. Writes go into the image as they are made; flush()\n"
                           "makes them durable, close() (or leaving a with block) also marks a VHDX closed\n"
                           "cleanly. The disk does not grow: writing past its end is an error.")
      .def_property_readonly("size", &WritableFile::size, "The disk's size in bytes.")
      .def_property_readonly("name", &WritableFile::name, "The image's path.")
      .def_property_readonly("closed", &WritableFile::closed)
      .def_property_readonly("mode", [](const WritableFile&) { return "r+b"; })
      .def("read", &WritableFile::read, py::arg("size") = -1,
           "Up to size bytes from the current position (all that is left when size < 0).")
      .def("readinto", &WritableFile::readinto, py::arg("buffer"))
      .def("write", &WritableFile::write, py::arg("data"), "Writes bytes at the position; returns the count.")
      .def("seek", &WritableFile::seek, py::arg("offset"), py::arg("whence") = 0,
           "Moves the position: whence 0 from the start, 1 from here, 2 from the end.")
      .def("tell", &WritableFile::tell)
      .def("flush", &WritableFile::flush, "Makes every write so far durable.")
      .def("close", &WritableFile::close, "Flushes, marks the image closed cleanly; further calls fail.")
      .def("readable", [](const WritableFile&) { return true; })
      .def("writable", [](const WritableFile&) { return true; })
      .def("seekable", [](const WritableFile&) { return true; })
      .def("isatty", [](const WritableFile&) { return false; })
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](WritableFile& self, py::args) { self.close(); })
      .def("__repr__", [](const WritableFile& self) {
        return self.closed() ? std::string("<diskimg.vhd.WritableFile closed>")
                             : "<diskimg.vhd.WritableFile " + self.name() + ", " + std::to_string(self.size()) + " bytes>";
      });
}

}  // namespace diskimg::python
