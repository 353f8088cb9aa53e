// The Python module diskimg._diskimg, one file per layer of the library. Each binding is a
// thin wrapper: arguments in, the library's call (without the GIL when it reads or writes),
// the library's values out. No logic of its own.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/disk/disk.hpp>
#include <diskimg/source/byte_source.hpp>
#include <diskimg/source/image_writer.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>

namespace diskimg::ntfs {
class Volume;
}

namespace diskimg::python {

namespace py = pybind11;

void bind_errors(py::module_& module);
void bind_file(py::module_& module);
void bind_disk(py::module_& module);
void bind_ntfs(py::module_& module);
void bind_vhd(py::module_& module);
void bind_convert(py::module_& module);

// The Python Disk: a diskimg::Disk until close(). Volumes and files taken from it keep
// their own references to the bytes and stay readable after it closes.
class OpenDisk {
 public:
  explicit OpenDisk(Disk disk) : disk_(std::move(disk)) {}
  const Disk& get() const {
    if (!disk_) throw py::value_error("the disk is closed");
    return *disk_;
  }
  bool closed() const { return !disk_; }
  void close() { disk_.reset(); }

 private:
  std::optional<Disk> disk_;
};

// A read-only, seekable file object (diskimg.File) over any byte source.
py::object make_file(SourcePtr source);

// diskimg.vhd.WritableFile over an image open for writing; `name` is its path.
py::object make_writable_file(std::unique_ptr<ImageWriter> writer, std::string name);
void bind_writable_file(py::module_& vhd_module);
// diskimg.Ntfs over an opened NTFS volume.
py::object make_ntfs(std::shared_ptr<const ntfs::Volume> volume);
// A FILETIME as an aware datetime in UTC (to the microsecond); None for 0.
py::object filetime_datetime(std::uint64_t filetime);

// A path from str, bytes or os.PathLike; one or several for sources that take a list.
std::filesystem::path to_path(py::handle object);
std::vector<std::filesystem::path> to_paths(py::handle object);
// A size from None (nullopt), an int of bytes or a str such as "512K" (parse_size). Throws
// UsageError naming `what` for anything else.
std::optional<std::uint64_t> to_size(py::handle object, std::string_view what);

// A diskimg.DiskWarning (a str with .structure and .offset).
py::object make_warning(const Warning& warning);

// A library progress callback that asks the Python callable `progress` (or None) with the
// GIL taken, after letting Python handle pending signals; an exception it raises (or a
// KeyboardInterrupt) lands in `raised` and stops the work (progress.cpp).
std::function<bool(std::uint64_t, std::uint64_t)> python_progress(py::object progress,
                                                                  std::optional<py::error_already_set>& raised);
// diskimg.ExtractResult and its parts; Ntfs.extract (extract.cpp).
void bind_extract(py::module_& module);
py::object run_extract(std::shared_ptr<const ntfs::Volume> volume, py::handle paths, py::handle target,
                       const std::string& streams, py::object progress);

}  // namespace diskimg::python

// Warnings reach Python as diskimg.DiskWarning, wherever a Warning or a list of them is
// returned.
namespace pybind11::detail {
template <>
struct type_caster<diskimg::Warning> {
  PYBIND11_TYPE_CASTER(diskimg::Warning, const_name("DiskWarning"));
  bool load(handle, bool) { return false; }  // never taken from Python
  static handle cast(const diskimg::Warning& warning, return_value_policy, handle) {
    return diskimg::python::make_warning(warning).release();
  }
};
}  // namespace pybind11::detail
