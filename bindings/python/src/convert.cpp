// diskimg.convert: the main job, as `diskimg convert` does it. The conversion runs without
// the GIL; the progress callback (and Ctrl-C) are served between pieces: a callback that
// returns False or raises, or a KeyboardInterrupt, cancels it and nothing is left behind.
#include "bindings.hpp"

#include <diskimg/convert/convert.hpp>
#include <diskimg/core/error.hpp>

#include <optional>

#include <pybind11/stl.h>

namespace diskimg::python {
namespace {

// A diskimg.Disk (converted as it is open), or the path of a disk image.
Disk source_disk(py::handle source) {
  if (py::isinstance<OpenDisk>(source)) return source.cast<const OpenDisk&>().get();
  const std::vector<std::filesystem::path> paths = to_paths(source);
  py::gil_scoped_release unlocked;
  return Disk::open(paths);
}

ConvertResult run_convert(py::handle source, py::handle output, const std::string& format,
                          std::optional<std::uint32_t> block_size, std::optional<unsigned> volume,
                          bool all_sectors, bool exclude_pagefile, bool new_disk_id,
                          bool continue_on_read_error, bool verify, bool force, py::object progress) {
  const Disk disk = source_disk(source);
  const std::filesystem::path target = to_path(output);
  ConvertOptions options;
  options.format = parse_output_format(format);
  if (block_size) options.block_size = *block_size;
  options.volume = volume;
  options.plan.all_sectors = all_sectors;
  options.plan.exclude_pagefile = exclude_pagefile;
  options.new_disk_id = new_disk_id;
  options.continue_on_read_error = continue_on_read_error;
  options.verify = verify;
  options.force = force;

  // Called on this thread between pieces, without the GIL: take it, let Python handle
  // signals (Ctrl-C), then ask the callback. A Python exception stops the conversion and
  // is raised once the library has removed the partial file.
  std::optional<py::error_already_set> raised;
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    py::gil_scoped_acquire locked;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (progress.is_none()) return true;
      const py::object answer = progress(done, total);
      if (answer.is_none()) return true;
      const int go_on = PyObject_IsTrue(answer.ptr());
      if (go_on < 0) throw py::error_already_set();  // its __bool__ raised
      return go_on == 1;
    } catch (py::error_already_set& error) {
      raised.emplace(std::move(error));
      return false;
    }
  };
  try {
    py::gil_scoped_release unlocked;
    return convert(disk, target, options);
  } catch (const Error&) {
    if (raised) throw *raised;
    throw;
  }
}

}  // namespace

void bind_convert(py::module_& module) {
  py::class_<ConvertResult>(module, "ConvertResult", "The summary of a conversion (convert --json).")
      .def_readonly("output", &ConvertResult::output)
      .def_property_readonly("format", [](const ConvertResult& r) { return std::string(to_string(r.format)); })
      .def_readonly("virtual_size", &ConvertResult::virtual_size, "The disk's size.")
      .def_readonly("bytes_read", &ConvertResult::bytes_read, "What was copied from the source.")
      .def_readonly("bytes_written", &ConvertResult::bytes_written, "Data written (zeros are not).")
      .def_readonly("file_size", &ConvertResult::file_size, "The output's length.")
      .def_readonly("allocated_bytes", &ConvertResult::allocated_bytes, "What the output occupies.")
      .def_readonly("seconds", &ConvertResult::seconds)
      .def_property_readonly("unreadable", [](const ConvertResult& r) {
        py::list out;
        for (const CopyRange& range : r.unreadable) out.append(py::make_tuple(range.offset, range.length));
        return out;
      }, "[(offset, length), ...] written as zeros (continue_on_read_error).")
      .def_readonly("notes", &ConvertResult::notes, "What the plan decided, in words.")
      .def("__repr__", [](const ConvertResult& r) {
        return "<diskimg.ConvertResult " + r.output + ", " + std::to_string(r.file_size) + " bytes>";
      });

  module.def("convert", &run_convert, py::arg("source"), py::arg("output"), py::kw_only(),
             py::arg("format") = "vhd-dynamic", py::arg("block_size") = py::none(),
             py::arg("volume") = py::none(), py::arg("all_sectors") = false,
             py::arg("exclude_pagefile") = false, py::arg("new_disk_id") = false,
             py::arg("continue_on_read_error") = false, py::arg("verify") = false,
             py::arg("force") = false, py::arg("progress") = py::none(),
             "Converts a disk (a path, the paths of an LDM disk group, or a Disk) into a virtual disk holding only what is in use.\n\n"
             "format: vhd-dynamic (default), vhd-fixed or raw; block_size: 512 KiB (default) to 2 MiB;\n"
             "volume: that volume alone, in a fresh MBR; all_sectors: copy everything;\n"
             "exclude_pagefile: pagefile.sys, hiberfil.sys and swapfile.sys read as zeros;\n"
             "new_disk_id: new MBR signature or GPT GUIDs; continue_on_read_error: zeros for\n"
             "unreadable sectors, listed in the result; verify: re-read and compare; force: replace\n"
             "an existing output; progress(done, total): called as work proceeds, return False to\n"
             "cancel. Ctrl-C cancels too. A cancelled or failed conversion leaves no file.");
}

}  // namespace diskimg::python
