// Ntfs.extract: files and trees out of an NTFS volume into a directory, as `diskimg
// extract` does. Runs without the GIL; progress and Ctrl-C are served between pieces.
#include "bindings.hpp"

#include <diskimg/extract/extract.hpp>

#include <pybind11/stl.h>

namespace diskimg::python {

py::object run_extract(std::shared_ptr<const ntfs::Volume> volume, py::handle paths, py::handle target,
                       const std::string& streams, py::object progress) {
  std::vector<std::string> chosen;
  if (py::isinstance<py::str>(paths)) {
    chosen.push_back(paths.cast<std::string>());
  } else {
    chosen = paths.cast<std::vector<std::string>>();
  }
  const std::filesystem::path directory = to_path(target);
  ExtractOptions options;
  options.named_streams = parse_stream_target(streams);
  std::optional<py::error_already_set> raised;
  options.progress = python_progress(std::move(progress), raised);
  try {
    ExtractResult result;
    {
      py::gil_scoped_release unlocked;
      result = extract(*volume, chosen, directory, options);
    }
    return py::cast(std::move(result));
  } catch (const Error&) {
    if (raised) throw *raised;
    throw;
  }
}

void bind_extract(py::module_& module) {
  py::class_<RenamedEntry>(module, "RenamedEntry", "An entry written under another name than its NTFS one.")
      .def_readonly("path", &RenamedEntry::path, "On the volume.")
      .def_readonly("written_as", &RenamedEntry::written_as, "Relative to the target directory.")
      .def_readonly("reason", &RenamedEntry::reason)
      .def("__repr__", [](const RenamedEntry& e) { return "<diskimg.RenamedEntry " + e.path + " -> " + e.written_as + ">"; });
  py::class_<ExtractProblem>(module, "ExtractProblem", "Something that was not restored, in full or in part.")
      .def_readonly("path", &ExtractProblem::path, "On the volume (\"path:stream\" for a named stream).")
      .def_readonly("reason", &ExtractProblem::reason)
      .def("__repr__", [](const ExtractProblem& p) { return "<diskimg.ExtractProblem " + p.path + ">"; });
  py::class_<ExtractResult>(module, "ExtractResult", "What Ntfs.extract wrote (the fields of `extract --json`).")
      .def_readonly("files", &ExtractResult::files)
      .def_readonly("directories", &ExtractResult::directories)
      .def_readonly("hard_links", &ExtractResult::hard_links)
      .def_readonly("named_streams", &ExtractResult::named_streams)
      .def_readonly("reparse_points", &ExtractResult::reparse_points)
      .def_readonly("bytes", &ExtractResult::bytes)
      .def_readonly("renamed", &ExtractResult::renamed)
      .def_readonly("skipped", &ExtractResult::skipped)
      .def("__repr__", [](const ExtractResult& r) {
        return "<diskimg.ExtractResult " + std::to_string(r.files) + " files, " + std::to_string(r.bytes) + " bytes>";
      });
}

}  // namespace diskimg::python
