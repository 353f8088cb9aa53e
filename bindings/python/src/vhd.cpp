// diskimg.vhd: create, open, check and merge VHDs, as `diskimg create`, `inspect`, `check`
// and `merge` do.
#include "bindings.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/writer.hpp>

#include <fmt/format.h>
#include <pybind11/stl.h>

namespace diskimg::python {
namespace {

using VhdPtr = std::shared_ptr<const vhd::VhdImage>;

struct OpenVhd {
  VhdPtr image;
};

void create(py::handle path, std::optional<std::uint64_t> size, const std::string& format,
            std::optional<std::uint32_t> block_size, py::handle parent) {
  vhd::CreateOptions options;
  if (!parent.is_none()) {
    if (size) throw UsageError("vhd.create: a differencing disk takes its parent's size");
    options.type = vhd::VhdType::differencing;
    options.parent = to_path(parent);
  } else {
    if (!size) throw UsageError("vhd.create: size is required (or parent)");
    options.size = *size;
    options.type = vhd::parse_vhd_type(format);
    if (options.type == vhd::VhdType::differencing) {
      throw UsageError("vhd.create: a differencing disk is made with parent=");
    }
  }
  if (block_size) options.block_size = *block_size;
  const std::filesystem::path target = to_path(path);
  py::gil_scoped_release unlocked;
  vhd::VhdWriter::create(target, options)->sync();
}

}  // namespace

void bind_vhd(py::module_& module) {
  py::module_ vhd_module = module.def_submodule("vhd", "VHD images: create, open, check, merge.");

  py::class_<vhd::CheckReport>(vhd_module, "CheckReport", "What vhd.check found.")
      .def_property_readonly("ok", &vhd::CheckReport::ok)
      .def_readonly("problems", &vhd::CheckReport::problems, "Each names the structure and where it is.")
      .def("__bool__", &vhd::CheckReport::ok)
      .def("__repr__", [](const vhd::CheckReport& r) {
        return r.ok() ? std::string("<diskimg.vhd.CheckReport ok>")
                      : fmt::format("<diskimg.vhd.CheckReport {} problem(s)>", r.problems.size());
      });

  py::class_<OpenVhd>(vhd_module, "Vhd", "An opened VHD, read through its differencing chain.")
      .def_property_readonly("path", [](const OpenVhd& v) { return v.image->path().string(); })
      .def_property_readonly("format", [](const OpenVhd& v) { return std::string(vhd::to_string(v.image->type())); },
                             "vhd-fixed, vhd-dynamic or vhd-differencing.")
      .def_property_readonly("size", [](const OpenVhd& v) { return v.image->size(); }, "Bytes the guest sees.")
      .def_property_readonly("block_size", [](const OpenVhd& v) -> std::optional<std::uint32_t> {
        if (!v.image->header()) return std::nullopt;
        return v.image->header()->block_size;
      }, "Dynamic and differencing disks' block size; None for fixed.")
      .def_property_readonly("creator", [](const OpenVhd& v) { return v.image->footer().creator_application; })
      .def_property_readonly("unique_id", [](const OpenVhd& v) { return v.image->footer().unique_id.to_string(); })
      .def_property_readonly("chain", [](const OpenVhd& v) {
        std::vector<std::string> out;
        for (const auto& path : v.image->chain()) out.push_back(path.string());
        return out;
      }, "The files read, child first.")
      .def_property_readonly("warnings", [](const OpenVhd& v) { return v.image->warnings(); })
      .def("block_allocated", [](const OpenVhd& v, std::uint64_t offset) { return v.image->block_allocated(offset); },
           py::arg("offset"), "Whether this file (not its parents) holds the block at a guest offset.")
      .def("open", [](const OpenVhd& v) { return make_file(v.image); }, "The guest's bytes as a File.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](OpenVhd&, py::args) {})
      .def("__repr__", [](const OpenVhd& v) {
        return fmt::format("<diskimg.vhd.Vhd {} {}, {} bytes>", v.image->path().string(),
                           vhd::to_string(v.image->type()), v.image->size());
      });

  vhd_module.def("create", &create, py::arg("path"), py::kw_only(), py::arg("size") = py::none(),
                 py::arg("format") = "vhd-dynamic", py::arg("block_size") = py::none(),
                 py::arg("parent") = py::none(),
                 "Creates a VHD, never over an existing file: size (bytes) and format (vhd-dynamic,\n"
                 "vhd-fixed), or parent= for a differencing disk with its parent's size.");
  vhd_module.def("open", [](py::handle path) {
    const std::filesystem::path target = to_path(path);
    py::gil_scoped_release unlocked;
    return OpenVhd{vhd::VhdImage::open(target)};
  }, py::arg("path"), "Opens a VHD and its parents (FormatError names what is wrong).");
  vhd_module.def("check", [](py::handle path, bool repair) {
    const std::filesystem::path target = to_path(path);
    py::gil_scoped_release unlocked;
    return repair ? vhd::repair_vhd(target) : vhd::check_vhd(target);
  }, py::arg("path"), py::kw_only(), py::arg("repair") = false,
     "Verifies footer, header, BAT, bitmaps and chain; never raises for a bad image. With\n"
     "repair=True an end footer that is gone or torn is first put back from the copy at 0.");
  vhd_module.def("merge", [](py::handle child) {
    const std::filesystem::path target = to_path(child);
    py::gil_scoped_release unlocked;
    vhd::merge_into_parent(target);
  }, py::arg("child"), "Folds a differencing VHD into its parent, then removes the child.");
}

}  // namespace diskimg::python
