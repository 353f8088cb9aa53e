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

// Sets each keyword argument as the attribute of that name: the ConvertOptions binding is
// the one list of options. An unknown name is a TypeError.
void apply_keywords(py::object options, const py::kwargs& keywords) {
  for (const auto& [name, value] : keywords) {
    const std::string key = py::str(name);
    if (key.starts_with("_") || !py::hasattr(py::type::of(options), key.c_str())) {
      throw py::type_error("convert: unknown option '" + key + "'");
    }
    options.attr(key.c_str()) = value;
  }
}

ConvertResult run_convert(py::handle source, py::handle output, std::optional<ConvertOptions> given,
                          py::object progress, const py::kwargs& keywords) {
  const Disk disk = source_disk(source);
  const std::filesystem::path target = to_path(output);
  py::object holder = py::cast(given.value_or(ConvertOptions{}));
  apply_keywords(holder, keywords);
  ConvertOptions options = holder.cast<ConvertOptions>();

  // Called on this thread between pieces, without the GIL (python_progress).
  std::optional<py::error_already_set> raised;
  options.progress = python_progress(std::move(progress), raised);
  try {
    py::gil_scoped_release unlocked;
    return convert(disk, target, options);
  } catch (const Error&) {
    if (raised) throw *raised;
    throw;
  }
}

void bind_options(py::module_& module) {
  py::class_<ConvertOptions>(module, "ConvertOptions",
                             "How convert() works; its keyword arguments set these attributes.\n"
                             "ConvertOptions(**attributes) makes one to reuse.")
      .def(py::init([](const py::kwargs& keywords) {
        py::object options = py::cast(ConvertOptions{});
        apply_keywords(options, keywords);
        return options.cast<ConvertOptions>();
      }))
      .def_property("format",
                    [](const ConvertOptions& o) -> std::optional<std::string> {
                      if (!o.format) return std::nullopt;
                      return std::string(to_string(*o.format));
                    },
                    [](ConvertOptions& o, const std::optional<std::string>& text) {
                      o.format = text ? std::optional(parse_output_format(*text)) : std::nullopt;
                    },
                    "vhd-dynamic, vhd-fixed, vhdx-dynamic, vhdx-fixed or raw; None (the default): "
                    "vhdx-dynamic for an output named *.vhdx, else vhd-dynamic.")
      .def_property("block_size", [](const ConvertOptions& o) { return o.block_size; },
                    [](ConvertOptions& o, py::handle value) {
                      const std::optional<std::uint64_t> size = to_size(value, "convert: block_size");
                      if (size && *size > UINT32_MAX) throw UsageError("convert: block_size is at most 256 MiB");
                      o.block_size = size ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*size)) : std::nullopt;
                    },
                    "A dynamic VHD's block (512 KiB to 2 MiB) or a VHDX's (1 MiB to 256 MiB), in bytes or as "
                    "\"1M\"; None: the format's default.")
      .def_readwrite("allow_sector_size_change", &ConvertOptions::allow_sector_size_change,
                     "Write a VHD (512-byte sectors) of a disk with 4096-byte sectors anyway.")
      .def_readwrite("volume", &ConvertOptions::volume, "That volume alone, in a fresh MBR; None: the disk.")
      .def_readwrite("snapshot", &ConvertOptions::snapshot,
                     "The disk (or volume) as shadow copy N of that NTFS volume saw it; None: as it is.")
      .def_readwrite("snapshot_volume", &ConvertOptions::snapshot_volume,
                     "With snapshot, of the whole disk: the volume the copy is of; None: the only NTFS volume "
                     "holding shadow copies.")
      .def_property("all_sectors", [](const ConvertOptions& o) { return o.plan.all_sectors; },
                    [](ConvertOptions& o, bool value) { o.plan.all_sectors = value; }, "Copy everything.")
      .def_property("exclude_pagefile", [](const ConvertOptions& o) { return o.plan.exclude_pagefile; },
                    [](ConvertOptions& o, bool value) { o.plan.exclude_pagefile = value; },
                    "pagefile.sys, hiberfil.sys and swapfile.sys read as zeros.")
      .def_readwrite("new_disk_id", &ConvertOptions::new_disk_id, "A new MBR signature or new GPT GUIDs.")
      .def_readwrite("continue_on_read_error", &ConvertOptions::continue_on_read_error,
                     "Zeros for unreadable sectors, listed in the result.")
      .def_readwrite("verify", &ConvertOptions::verify, "Re-read the output and compare.")
      .def_readwrite("force", &ConvertOptions::force, "Replace an existing output.")
      .def_property("parent",
                    [](const ConvertOptions& o) -> std::optional<std::string> {
                      if (!o.parent) return std::nullopt;
                      return o.parent->string();
                    },
                    [](ConvertOptions& o, py::handle value) {
                      o.parent = value.is_none() ? std::nullopt : std::optional(to_path(value));
                    },
                    "An earlier conversion (VHD or VHDX) of the same disk: the output is its differencing "
                    "child, holding only what changed. None: a full conversion.")
      .def_property("changes", [](const ConvertOptions& o) { return std::string(to_string(o.changes)); },
                    [](ConvertOptions& o, const std::string& text) { o.changes = parse_change_detection(text); },
                    "With parent: \"exact\" (compare every copied sector with the parent chain) or \"mft\" "
                    "(skip the clusters of files whose MFT records and runs are the parent's).")
      .def_readwrite("allow_other_disk", &ConvertOptions::allow_other_disk,
                     "With parent: accept one whose disk identifiers or partitions differ.")
      .def_property("permissions",
                    [](const ConvertOptions& o) -> std::optional<unsigned> {
                      if (!o.permissions) return std::nullopt;
                      return static_cast<unsigned>(*o.permissions);
                    },
                    [](ConvertOptions& o, std::optional<unsigned> bits) {
                      if (bits && *bits > 0777) throw py::value_error("permissions: rwx bits, 0 to 0o777");
                      o.permissions = bits ? std::optional(static_cast<std::filesystem::perms>(*bits)) : std::nullopt;
                    },
                    "The output's mode bits exactly (0o600); None: the source file's (0o600 for a device).")
      .def("__repr__", [](const ConvertOptions& o) {
        return "<diskimg.ConvertOptions " + (o.format ? std::string(to_string(*o.format)) : "format by name") +
               (o.block_size ? ", " + std::to_string(*o.block_size) + "-byte blocks>" : ">");
      });
}

}  // namespace

void bind_convert(py::module_& module) {
  bind_options(module);
  py::class_<ConvertResult>(module, "ConvertResult", "The summary of a conversion: what was copied, read, written and verified.")
      .def_readonly("output", &ConvertResult::output)
      .def_property_readonly("format", [](const ConvertResult& r) { return std::string(to_string(r.format)); })
      .def_readonly("virtual_size", &ConvertResult::virtual_size, "The disk's size.")
      .def_readonly("bytes_in_use", &ConvertResult::bytes_in_use, "What the plan copies: the bytes in use.")
      .def_readonly("bytes_read", &ConvertResult::bytes_read, "What was read from the source (holes are not).")
      .def_readonly("bytes_written", &ConvertResult::bytes_written, "Data written (zeros are not).")
      .def_readonly("file_size", &ConvertResult::file_size, "The output's length.")
      .def_readonly("allocated_bytes", &ConvertResult::allocated_bytes, "What the output occupies.")
      .def_readonly("verified", &ConvertResult::verified, "Whether verify ran and found the output equal.")
      .def_readonly("bytes_verified", &ConvertResult::bytes_verified, "What verify read back and compared.")
      .def_readonly("seconds", &ConvertResult::seconds)
      .def_property_readonly("unreadable", [](const ConvertResult& r) {
        py::list out;
        for (const CopyRange& range : r.unreadable) out.append(py::make_tuple(range.offset, range.length));
        return out;
      }, "[(offset, length), ...] missing (unreadable, or past a truncated source's end), zeros in the output.")
      .def_readonly("notes", &ConvertResult::notes, "What the plan decided, in words.")
      .def_property_readonly("parent", [](const ConvertResult& r) -> std::optional<std::string> {
        if (r.parent.empty()) return std::nullopt;
        return r.parent;
      }, "The parent of an incremental conversion, or None.")
      .def_readonly("bytes_compared", &ConvertResult::bytes_compared,
                    "With a parent: bytes read from both the source and the parent chain and compared.")
      .def_readonly("bytes_changed", &ConvertResult::bytes_changed,
                    "With a parent: bytes of the sectors that differ (what the child holds).")
      .def_readonly("bytes_unchanged_by_mft", &ConvertResult::bytes_unchanged_by_mft,
                    "With changes=\"mft\": bytes in use taken as unchanged from the MFT, not read.")
      .def("__repr__", [](const ConvertResult& r) {
        return "<diskimg.ConvertResult " + r.output + ", " + std::to_string(r.file_size) + " bytes>";
      });

  module.def("convert", &run_convert, py::arg("source"), py::arg("output"), py::arg("options") = py::none(),
             py::kw_only(), py::arg("progress") = py::none(),
             "Converts a disk (a path, the paths of an LDM disk group, or a Disk) into a virtual disk holding only what is in use.\n\n"
             "options: a ConvertOptions; keyword arguments set its attributes (format, block_size,\n"
             "volume, all_sectors, exclude_pagefile, new_disk_id, continue_on_read_error, verify,\n"
             "force, parent, changes, allow_other_disk). progress(done, total): called as work proceeds, return False to cancel\n"
             "(CancelledError). Ctrl-C cancels too. A cancelled or failed conversion leaves no file.");
}

}  // namespace diskimg::python
