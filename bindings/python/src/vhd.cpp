// diskimg.vhd: create and open VHDs and VHDXs, check and merge VHDs, as `diskimg create`, `inspect`, `check`
// and `merge` do.
#include "bindings.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/writer.hpp>
#include <diskimg/vhdx/check.hpp>
#include <diskimg/vhdx/image.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <cctype>

#include <fmt/format.h>
#include <pybind11/stl.h>

namespace diskimg::python {
namespace {

// An opened VHD or VHDX: one of the two images, and what Python asks of either.
struct OpenVhd {
  std::shared_ptr<const vhd::VhdImage> vhd;
  std::shared_ptr<const vhdx::VhdxImage> vhdx;

  SourcePtr source() const { return vhd ? SourcePtr(vhd) : SourcePtr(vhdx); }
  std::filesystem::path path() const { return vhd ? vhd->path() : vhdx->path(); }
  std::string format() const {
    return vhd ? std::string(vhd::to_string(vhd->type())) : std::string(vhdx::to_string(vhdx->type()));
  }
  std::vector<std::filesystem::path> chain() const { return vhd ? vhd->chain() : vhdx->chain(); }
  Warnings warnings() const { return vhd ? vhd->warnings() : vhdx->warnings(); }
  bool block_allocated(std::uint64_t offset) const {
    return vhd ? vhd->block_allocated(offset) : vhdx->block_allocated(offset);
  }
  std::optional<std::uint32_t> block_size() const {
    if (vhdx) return vhdx->metadata().block_size;
    if (!vhd->header()) return std::nullopt;
    return vhd->header()->block_size;
  }
};

OpenVhd open_image(const std::filesystem::path& path) {
  if (vhdx::looks_like_vhdx(FileSource(path))) return OpenVhd{nullptr, vhdx::VhdxImage::open(path)};
  return OpenVhd{vhd::VhdImage::open(path), nullptr};
}

bool names_vhdx(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".vhdx";
}

void create_vhdx(const std::filesystem::path& target, std::optional<std::uint64_t> size, const std::string& format,
                 std::optional<std::uint32_t> block_size, std::optional<std::uint32_t> sector_size, py::handle parent) {
  vhdx::CreateOptions options;
  if (!parent.is_none()) {
    if (size || sector_size) throw UsageError("vhd.create: a differencing disk takes its parent's size and sectors");
    options.type = vhdx::VhdxType::differencing;
    options.parent = to_path(parent);
  } else {
    if (!size) throw UsageError("vhd.create: size is required (or parent)");
    options.size = *size;
    options.type = vhdx::parse_vhdx_type(format);
    if (options.type == vhdx::VhdxType::differencing) {
      throw UsageError("vhd.create: a differencing disk is made with parent=");
    }
  }
  if (block_size) options.block_size = *block_size;
  if (sector_size) options.logical_sector_size = *sector_size;
  py::gil_scoped_release unlocked;
  vhdx::VhdxWriter::create(target, options)->close();
}

// A VHDX when the format says so, or the name ends in .vhdx with no format given, or the
// parent is one; a VHD otherwise.
// A size argument that must fit 32 bits (block and sector sizes).
std::optional<std::uint32_t> to_size32(py::handle object, std::string_view what) {
  const std::optional<std::uint64_t> size = to_size(object, what);
  if (size && *size > UINT32_MAX) throw UsageError(fmt::format("{}: {} bytes is too large", what, *size));
  return size ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*size)) : std::nullopt;
}

void create(py::handle path, py::handle size_argument, std::optional<std::string> format, py::handle block_argument,
            py::handle sector_argument, py::handle parent) {
  const std::filesystem::path target = to_path(path);
  const std::optional<std::uint64_t> size = to_size(size_argument, "vhd.create: size");
  const std::optional<std::uint32_t> block_size = to_size32(block_argument, "vhd.create: block_size");
  const std::optional<std::uint32_t> sector_size = to_size32(sector_argument, "vhd.create: sector_size");
  const bool vhdx = format ? format->starts_with("vhdx-")
                           : (parent.is_none() ? names_vhdx(target) : vhdx::looks_like_vhdx(FileSource(to_path(parent))));
  if (vhdx) return create_vhdx(target, size, format.value_or("vhdx-dynamic"), block_size, sector_size, parent);
  if (sector_size && *sector_size != 512) throw UsageError("vhd.create: a VHD has 512-byte sectors only; write a VHDX");
  const std::string vhd_format = format.value_or("vhd-dynamic");
  vhd::CreateOptions options;
  if (!parent.is_none()) {
    if (size) throw UsageError("vhd.create: a differencing disk takes its parent's size");
    options.type = vhd::VhdType::differencing;
    options.parent = to_path(parent);
  } else {
    if (!size) throw UsageError("vhd.create: size is required (or parent)");
    options.size = *size;
    options.type = vhd::parse_vhd_type(vhd_format);
    if (options.type == vhd::VhdType::differencing) {
      throw UsageError("vhd.create: a differencing disk is made with parent=");
    }
  }
  if (block_size) options.block_size = *block_size;
  py::gil_scoped_release unlocked;
  vhd::VhdWriter::create(target, options)->sync();
}

}  // namespace

void bind_vhd(py::module_& module) {
  py::module_ vhd_module = module.def_submodule("vhd", "VHD and VHDX images: create, open, check, merge.");

  py::class_<vhd::CheckReport>(vhd_module, "CheckReport", "What vhd.check found.")
      .def_property_readonly("ok", &vhd::CheckReport::ok)
      .def_readonly("problems", &vhd::CheckReport::problems, "Each names the structure and where it is.")
      .def("__bool__", &vhd::CheckReport::ok)
      .def("__repr__", [](const vhd::CheckReport& r) {
        return r.ok() ? std::string("<diskimg.vhd.CheckReport ok>")
                      : fmt::format("<diskimg.vhd.CheckReport {} problem(s)>", r.problems.size());
      });

  py::class_<OpenVhd>(vhd_module, "Vhd", "An opened VHD or VHDX, read through its differencing chain.")
      .def_property_readonly("path", [](const OpenVhd& v) { return v.path().string(); })
      .def_property_readonly("format", &OpenVhd::format,
                             "vhd-fixed, vhd-dynamic, vhd-differencing, vhdx-fixed, vhdx-dynamic or vhdx-differencing.")
      .def_property_readonly("size", [](const OpenVhd& v) { return v.source()->size(); }, "Bytes the guest sees.")
      .def_property_readonly("sector_size", [](const OpenVhd& v) { return v.source()->sector_size(); },
                             "The logical sector size the disk presents: 512, or 4096 for some VHDXs.")
      .def_property_readonly("block_size", &OpenVhd::block_size,
                             "Dynamic and differencing disks' block size (a VHDX's also when fixed); None for a fixed VHD.")
      .def_property_readonly("creator", [](const OpenVhd& v) -> std::optional<std::string> {
        if (!v.vhd) return std::nullopt;
        return v.vhd->footer().creator_application;
      }, "A VHD's creator application; None for a VHDX.")
      .def_property_readonly("unique_id", [](const OpenVhd& v) {
        return v.vhd ? v.vhd->footer().unique_id.to_string() : v.vhdx->metadata().virtual_disk_id.to_string();
      }, "The disk's identity: a VHD's unique ID, a VHDX's virtual disk ID.")
      .def_property_readonly("log_replayed", [](const OpenVhd& v) { return v.vhdx && v.vhdx->replay().has_value(); },
                             "A VHDX not closed cleanly, whose log was replayed in memory (the file is unchanged).")
      .def_property_readonly("chain", [](const OpenVhd& v) {
        std::vector<std::string> out;
        for (const auto& path : v.chain()) out.push_back(path.string());
        return out;
      }, "The files read, child first.")
      .def_property_readonly("warnings", &OpenVhd::warnings)
      .def("block_allocated", &OpenVhd::block_allocated,
           py::arg("offset"), "Whether this file (not its parents) holds the block at a guest offset.")
      .def("open", [](const OpenVhd& v) { return make_file(v.source()); }, "The guest's bytes as a File.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](OpenVhd&, py::args) {})
      .def("__repr__", [](const OpenVhd& v) {
        return fmt::format("<diskimg.vhd.Vhd {} {}, {} bytes>", v.path().string(), v.format(), v.source()->size());
      });

  vhd_module.def("create", &create, py::arg("path"), py::kw_only(), py::arg("size") = py::none(),
                 py::arg("format") = py::none(), py::arg("block_size") = py::none(),
                 py::arg("sector_size") = py::none(), py::arg("parent") = py::none(),
                 "Creates a VHD or VHDX, never over an existing file: size (an int of bytes, or a\n"
                 "str such as \"40G\") and format\n"
                 "(vhd-dynamic, vhd-fixed, vhdx-dynamic, vhdx-fixed; by default vhdx-dynamic for a\n"
                 "name ending in .vhdx, vhd-dynamic otherwise), or parent= for a differencing disk\n"
                 "with its parent's size (a VHDX when the parent is one). sector_size: a VHDX's\n"
                 "logical sectors, 512 or 4096.");
  bind_writable_file(vhd_module);
  vhd_module.def("open", [](py::handle path, const std::string& mode) -> py::object {
    const std::filesystem::path target = to_path(path);
    if (mode == "r" || mode == "rb") {
      py::gil_scoped_release unlocked;
      OpenVhd image = open_image(target);
      py::gil_scoped_acquire locked;
      return py::cast(std::move(image));
    }
    if (mode != "r+" && mode != "r+b" && mode != "rb+") {
      throw UsageError(fmt::format("vhd.open: mode \"{}\": use \"r\" or \"r+\"", mode));
    }
    std::unique_ptr<ImageWriter> writer;
    {
      py::gil_scoped_release unlocked;
      if (vhdx::looks_like_vhdx(FileSource(target))) {
        writer = vhdx::VhdxWriter::open_existing(target);
      } else {
        writer = vhd::VhdWriter::open_existing(target);
      }
    }
    return make_writable_file(std::move(writer), target.string());
  }, py::arg("path"), py::arg("mode") = "r",
     "Opens a VHD or VHDX (by its content) and its parents (FormatError names what is wrong):\n"
     "mode \"r\" gives a Vhd to read; \"r+\" a WritableFile of the guest's bytes.");
  vhd_module.def("check", [](py::handle path, bool repair) {
    const std::filesystem::path target = to_path(path);
    py::gil_scoped_release unlocked;
    if (vhdx::looks_like_vhdx(FileSource(target))) {
      return vhd::CheckReport{(repair ? vhdx::repair_vhdx(target) : vhdx::check_vhdx(target)).problems};
    }
    return repair ? vhd::repair_vhd(target) : vhd::check_vhd(target);
  }, py::arg("path"), py::kw_only(), py::arg("repair") = false,
     "Verifies a VHD's footer, header, BAT, bitmaps and chain, or a VHDX's headers, regions,\n"
     "metadata, BAT, log and chain; never raises for a bad image. With repair=True a VHD's\n"
     "end footer that is gone or torn is first put back from the copy at 0, and a VHDX's\n"
     "pending log is replayed into the file.");
  vhd_module.def("merge", [](py::handle child) {
    const std::filesystem::path target = to_path(child);
    py::gil_scoped_release unlocked;
    if (vhdx::looks_like_vhdx(FileSource(target))) {
      vhdx::merge_vhdx_into_parent(target);
    } else {
      vhd::merge_into_parent(target);
    }
  }, py::arg("child"), "Folds a differencing VHD or VHDX into its parent, then removes the child.");
}

}  // namespace diskimg::python
