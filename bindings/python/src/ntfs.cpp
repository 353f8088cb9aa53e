// diskimg.Ntfs: an NTFS volume's directories (listdir, walk), file records (stat, record),
// streams as files (open) and used-cluster maps. The same words as `diskimg ls`, `stat`,
// `cat` and `usedmap`.
#include "bindings.hpp"

#include <diskimg/ntfs/listing.hpp>
#include <diskimg/ntfs/volume.hpp>
#include <diskimg/usedmap/used_map.hpp>


#include <fmt/format.h>
#include <pybind11/stl.h>

namespace diskimg::python {
namespace {

struct Ntfs {
  std::shared_ptr<const ntfs::Volume> volume;
};

void warn(const Warnings& warnings) {
  for (const Warning& warning : warnings) {
    if (PyErr_WarnEx(PyExc_RuntimeWarning, warning.what.c_str(), 2) != 0) throw py::error_already_set();
  }
}

std::vector<ntfs::ListedEntry> list(const Ntfs& fs, const std::string& path, bool recursive) {
  std::vector<ntfs::ListedEntry> entries;
  Warnings warnings;
  {
    py::gil_scoped_release unlocked;
    ntfs::walk_directory(*fs.volume, path, recursive,
                         [&](const ntfs::ListedEntry& entry) { entries.push_back(entry); }, warnings);
  }
  warn(warnings);
  return entries;
}

// os.walk's shape: (dirpath, directory entries, file entries), as ntfs::walk_tree groups them.
py::list walk(const Ntfs& fs, const std::string& top) {
  std::vector<ntfs::WalkedDirectory> tree;
  Warnings warnings;
  {
    py::gil_scoped_release unlocked;
    tree = ntfs::walk_tree(*fs.volume, top, warnings);
  }
  warn(warnings);
  py::list out;
  for (const ntfs::WalkedDirectory& directory : tree) {
    out.append(py::make_tuple(directory.path, directory.directories, directory.files));
  }
  return out;
}

std::shared_ptr<const ntfs::Stream> open_stream(const Ntfs& fs, const ntfs::File& file, const std::string& stream) {
  return fs.volume->open_stream(file, ntfs::AttributeType::data, stream);
}

py::object open_path(const Ntfs& fs, const std::string& path, std::optional<std::string> stream) {
  ntfs::StreamPath target{path, stream.value_or("")};
  if (!stream) target = ntfs::split_stream_path(path);
  std::shared_ptr<const ntfs::Stream> opened;
  {
    py::gil_scoped_release unlocked;
    const ntfs::File file = fs.volume->open_path(target.path);
    if (file.is_directory() && target.stream.empty()) {
      throw UsageError(fmt::format("{} is a directory: it has no unnamed $DATA stream to read", target.path));
    }
    opened = open_stream(fs, file, target.stream);
  }
  return make_file(std::move(opened));
}

py::list runs_of(const ntfs::Attribute& attribute) {
  py::list runs;
  for (const ntfs::Run& run : attribute.runs) {
    runs.append(py::make_tuple(run.vcn, run.lcn ? py::cast(*run.lcn) : py::none(), run.length));
  }
  return runs;
}

// A FILETIME as an aware datetime in UTC (to the microsecond: datetime holds no finer);
// None for 0, "never set".
py::object to_datetime(std::uint64_t filetime) {
  if (filetime == 0) return py::none();
  // Imported on each call (a dictionary lookup once loaded): a static py::object would be
  // released after the interpreter has finalized, and crash the process at exit.
  const py::object datetime = py::module_::import("datetime");
  const py::object epoch = datetime.attr("datetime")(1601, 1, 1, 0, 0, 0, 0, datetime.attr("timezone").attr("utc"));
  return epoch + datetime.attr("timedelta")(py::arg("microseconds") = filetime / 10);
}

std::vector<std::string> attribute_names(Flags<ntfs::FileAttribute> attributes) {
  return ntfs::file_attribute_names(attributes);
}

void bind_records(py::module_& module) {
  py::class_<ntfs::FileTimes>(module, "Times",
                              "A file's four times: datetimes in UTC (None when never set); "
                              "filetimes gives them as FILETIMEs, to the 100 ns.")
      .def_property_readonly("created", [](const ntfs::FileTimes& t) { return to_datetime(t.created); })
      .def_property_readonly("modified", [](const ntfs::FileTimes& t) { return to_datetime(t.modified); })
      .def_property_readonly("mft_changed", [](const ntfs::FileTimes& t) { return to_datetime(t.mft_changed); })
      .def_property_readonly("accessed", [](const ntfs::FileTimes& t) { return to_datetime(t.accessed); })
      .def_property_readonly("filetimes", [](const ntfs::FileTimes& t) {
        return py::make_tuple(t.created, t.modified, t.mft_changed, t.accessed);
      }, "(created, modified, mft_changed, accessed) in 100 ns units since 1601-01-01 UTC.")
      .def("__repr__", [](const ntfs::FileTimes& t) {
        return fmt::format("<diskimg.Times modified {}>", ntfs::filetime_to_iso8601(t.modified));
      });

  py::class_<ntfs::StreamInfo>(module, "StreamInfo", "A named $DATA stream: name and size.")
      .def_readonly("name", &ntfs::StreamInfo::name)
      .def_readonly("size", &ntfs::StreamInfo::size)
      .def("__repr__", [](const ntfs::StreamInfo& s) { return fmt::format("<diskimg.StreamInfo {} {}>", s.name, s.size); });

  py::class_<ntfs::ListedEntry>(module, "Entry", "A directory entry as listdir and walk return it.")
      .def_readonly("name", &ntfs::ListedEntry::name)
      .def_readonly("path", &ntfs::ListedEntry::path, "From the root: \"/dir/name\".")
      .def_property_readonly("record", [](const ntfs::ListedEntry& e) { return e.file.record; }, "MFT record number.")
      .def_property_readonly("sequence", [](const ntfs::ListedEntry& e) { return e.file.sequence; })
      .def_readonly("is_dir", &ntfs::ListedEntry::is_directory)
      .def_readonly("size", &ntfs::ListedEntry::size, "The unnamed $DATA's size (0 for directories).")
      .def_readonly("times", &ntfs::ListedEntry::times, "$STANDARD_INFORMATION's times.")
      .def_property_readonly("file_attributes", [](const ntfs::ListedEntry& e) { return attribute_names(e.file_attributes); },
                             "$STANDARD_INFORMATION's file attributes: \"readonly\", \"hidden\", ...")
      .def_readonly("streams", &ntfs::ListedEntry::streams, "Named $DATA streams.")
      .def("__repr__", [](const ntfs::ListedEntry& e) {
        return fmt::format("<diskimg.Entry {} record {}{}>", e.path, e.file.record, e.is_directory ? " dir" : "");
      });

  py::class_<ntfs::FileName>(module, "Name", "A $FILE_NAME: the name, its namespace and parent directory.")
      .def_readonly("name", &ntfs::FileName::name)
      .def_property_readonly("namespace", [](const ntfs::FileName& n) { return std::string(ntfs::to_string(n.name_space)); },
                             "win32, dos, win32+dos or posix.")
      .def_property_readonly("parent", [](const ntfs::FileName& n) { return n.parent.record; }, "The parent's record.")
      .def_readonly("times", &ntfs::FileName::times, "The times this name records (often older than the file's).")
      .def_property_readonly("file_attributes", [](const ntfs::FileName& n) { return attribute_names(n.file_attributes); })
      .def("__repr__", [](const ntfs::FileName& n) { return fmt::format("<diskimg.Name {}>", n.name); });

  py::class_<ntfs::Attribute>(module, "Attribute",
                              "One attribute extent: resident (value) or nonresident (runs).")
      .def_property_readonly("type", [](const ntfs::Attribute& a) { return ntfs::type_code(a.type); }, "128 for $DATA, ...")
      .def_property_readonly("type_name", [](const ntfs::Attribute& a) { return std::string(ntfs::attribute_type_name(a.type)); })
      .def_readonly("name", &ntfs::Attribute::name)
      .def_readonly("id", &ntfs::Attribute::instance)
      .def_readonly("record", &ntfs::Attribute::record, "The MFT record this extent lies in.")
      .def_readonly("resident", &ntfs::Attribute::resident)
      .def_property_readonly("flags", &ntfs::Attribute::flag_names, "Any of compressed, sparse, encrypted.")
      .def_property_readonly("data_size", &ntfs::Attribute::size)
      .def_property_readonly("allocated_size", &ntfs::Attribute::allocated)
      .def_property_readonly("initialized_size", &ntfs::Attribute::initialized)
      .def_readonly("start_vcn", &ntfs::Attribute::first_vcn)
      .def_property_readonly("last_vcn", &ntfs::Attribute::signed_last_vcn, "-1 for an empty nonresident attribute.")
      .def_readonly("compression_unit", &ntfs::Attribute::compression_unit, "log2 of clusters per unit.")
      .def_property_readonly("runs", &runs_of, "[(vcn, lcn or None when sparse, length in clusters), ...]")
      .def_property_readonly("value", [](const ntfs::Attribute& a) -> std::optional<py::bytes> {
        if (!a.resident) return std::nullopt;
        return py::bytes(reinterpret_cast<const char*>(a.value.data()), a.value.size());
      }, "A resident attribute's bytes; None when nonresident.")
      .def("__repr__", [](const ntfs::Attribute& a) {
        return fmt::format("<diskimg.Attribute {} \"{}\" {} in record {}>", ntfs::attribute_type_name(a.type), a.name,
                           a.resident ? "resident" : "nonresident", a.record);
      });

  py::class_<ntfs::AttributeListEntry>(module, "AttributeListEntry", "Where one attribute extent lives.")
      .def_property_readonly("type", [](const ntfs::AttributeListEntry& e) { return ntfs::type_code(e.type); })
      .def_property_readonly("type_name", [](const ntfs::AttributeListEntry& e) { return std::string(ntfs::attribute_type_name(e.type)); })
      .def_readonly("name", &ntfs::AttributeListEntry::name)
      .def_readonly("start_vcn", &ntfs::AttributeListEntry::first_vcn)
      .def_property_readonly("record", [](const ntfs::AttributeListEntry& e) { return e.record.record; })
      .def_readonly("id", &ntfs::AttributeListEntry::instance);

  py::class_<ntfs::AttributeListInfo>(module, "AttributeList", "A file's $ATTRIBUTE_LIST.")
      .def_readonly("resident", &ntfs::AttributeListInfo::resident)
      .def_property_readonly("size", [](const ntfs::AttributeListInfo& l) { return l.attribute.size(); })
      .def_property_readonly("runs", [](const ntfs::AttributeListInfo& l) { return runs_of(l.attribute); },
                             "The list's own runs when it is nonresident.")
      .def_readonly("entries", &ntfs::AttributeListInfo::entries);

  py::class_<ntfs::File>(module, "Record",
                         "A file: its base MFT record and every attribute extent it owns, gathered "
                         "from child records through its attribute list.")
      .def_property_readonly("record", &ntfs::File::number)
      .def_property_readonly("sequence", [](const ntfs::File& f) { return f.record.sequence; })
      .def_property_readonly("base_record", [](const ntfs::File& f) { return f.record.base.record; },
                             "0 for a base record, else the record it extends.")
      .def_property_readonly("in_use", [](const ntfs::File& f) { return f.record.in_use(); })
      .def_property_readonly("is_dir", &ntfs::File::is_directory)
      .def_property_readonly("link_count", [](const ntfs::File& f) { return f.record.link_count; })
      .def_property_readonly("names", &ntfs::File::names)
      .def_property_readonly("times", [](const ntfs::File& f) -> py::object {
        const auto info = f.standard_information();
        return info ? py::cast(info->times) : py::none();
      }, "$STANDARD_INFORMATION's times (what Windows shows); None without one.")
      .def_property_readonly("file_attributes", [](const ntfs::File& f) -> py::object {
        const auto info = f.standard_information();
        return info ? py::cast(attribute_names(info->file_attributes)) : py::none();
      }, "$STANDARD_INFORMATION's file attributes: [\"readonly\", \"hidden\", \"archive\", ...].")
      .def_property_readonly("owner_id", [](const ntfs::File& f) -> std::optional<std::uint32_t> {
        const auto info = f.standard_information();
        return info ? info->owner_id : std::nullopt;
      })
      .def_property_readonly("security_id", [](const ntfs::File& f) -> std::optional<std::uint32_t> {
        const auto info = f.standard_information();
        return info ? info->security_id : std::nullopt;
      }, "The security descriptor's id in $Secure (NTFS 3.0+).")
      .def_property_readonly("usn", [](const ntfs::File& f) -> std::optional<std::uint64_t> {
        const auto info = f.standard_information();
        return info ? info->usn : std::nullopt;
      }, "The update sequence number of the last change (NTFS 3.0+).")
      .def_readonly("attribute_list", &ntfs::File::attribute_list, "None when the file has none.")
      .def_readonly("attributes", &ntfs::File::attributes, "Every extent, by type, name and first VCN.")
      .def_readonly("warnings", &ntfs::File::warnings, "Child records that could not be used.")
      .def_property_readonly("size", &ntfs::File::data_size, "The unnamed $DATA's size.")
      .def_property_readonly("stream_names", &ntfs::File::stream_names, "Named $DATA streams.")
      .def("__repr__", [](const ntfs::File& f) {
        const auto name = f.preferred_name();
        return fmt::format("<diskimg.Record {} {}>", f.number(), name ? name->name : "");
      });
}

void bind_used_maps(py::module_& module) {
  py::class_<UsedMap>(module, "UsedMap", "Which clusters of an NTFS volume are in use, from $Bitmap.")
      .def_property_readonly("cluster_size", &UsedMap::cluster_size)
      .def_property_readonly("total_clusters", &UsedMap::total_clusters)
      .def_property_readonly("used_clusters", &UsedMap::used_clusters)
      .def("used", &UsedMap::used, py::arg("cluster"))
      .def("extents", [](const UsedMap& map) {
        py::list out;
        map.for_each_extent([&](const ClusterExtent& e) { out.append(py::make_tuple(e.first, e.count)); });
        return out;
      }, "[(first cluster, count), ...], sorted and maximal.");

  py::class_<UsedMapCheck::Example>(module, "UsedMapExample", "A cluster that disagrees, and the file involved.")
      .def_readonly("cluster", &UsedMapCheck::Example::cluster)
      .def_readonly("record", &UsedMapCheck::Example::record)
      .def_readonly("path", &UsedMapCheck::Example::path);

  py::class_<UsedMapCheck>(module, "UsedMapCheck", "$Bitmap against every file's runlists.")
      .def_property_readonly("consistent", &UsedMapCheck::consistent)
      .def_readonly("used_but_free", &UsedMapCheck::used_but_free)
      .def_readonly("claimed_twice", &UsedMapCheck::claimed_twice)
      .def_readonly("marked_unowned", &UsedMapCheck::marked_unowned)
      .def_readonly("used_but_free_examples", &UsedMapCheck::used_but_free_examples)
      .def_readonly("claimed_twice_examples", &UsedMapCheck::claimed_twice_examples)
      .def_readonly("marked_unowned_examples", &UsedMapCheck::marked_unowned_examples)
      .def_readonly("unreadable", &UsedMapCheck::unreadable);
}

UsedMap read_used_map(const Ntfs& fs) {
  py::gil_scoped_release unlocked;
  return UsedMap::read(*fs.volume);
}

}  // namespace

py::object filetime_datetime(std::uint64_t filetime) { return to_datetime(filetime); }

py::object make_ntfs(std::shared_ptr<const ntfs::Volume> volume) {
  py::object fs = py::cast(Ntfs{std::move(volume)});
  warn(fs.cast<const Ntfs&>().volume->warnings());
  return fs;
}

void bind_ntfs(py::module_& module) {
  bind_records(module);
  bind_used_maps(module);
  using Boot = const ntfs::BootSector&;
  const auto boot = [](const Ntfs& fs) -> Boot { return fs.volume->boot_sector(); };
  py::class_<Ntfs>(module, "Ntfs", "An NTFS file system (Volume.ntfs()).")
      .def_property_readonly("label", [](const Ntfs& fs) { return fs.volume->label(); })
      .def_property_readonly("version", [](const Ntfs& fs) { return fs.volume->version(); }, "\"3.1\"")
      .def_property_readonly("serial", [=](const Ntfs& fs) { return fmt::format("{:016X}", boot(fs).serial_number); })
      .def_property_readonly("bytes_per_sector", [=](const Ntfs& fs) { return boot(fs).bytes_per_sector; })
      .def_property_readonly("cluster_size", [=](const Ntfs& fs) { return boot(fs).cluster_size; })
      .def_property_readonly("mft_record_size", [=](const Ntfs& fs) { return boot(fs).file_record_size; })
      .def_property_readonly("index_block_size", [=](const Ntfs& fs) { return boot(fs).index_block_size; })
      .def_property_readonly("total_clusters", [=](const Ntfs& fs) { return boot(fs).total_clusters; })
      .def_property_readonly("record_count", [](const Ntfs& fs) { return fs.volume->record_count(); },
                             "MFT records, used or not: those in clusters the MFT maps below its initialized size.")
      .def_property_readonly("warnings", [](const Ntfs& fs) { return fs.volume->warnings(); })
      .def("listdir", [](const Ntfs& fs, const std::string& path) { return list(fs, path, false); },
           py::arg("path") = "/", "The entries of a directory in index order (. and .. left out).")
      .def("walk", &walk, py::arg("top") = "/",
           "[(dirpath, [directory Entry], [file Entry]), ...] for top and every directory below,\n"
           "top-down as os.walk. A directory that cannot be read gives a RuntimeWarning.")
      .def("stat", [](const Ntfs& fs, const std::string& path) {
        py::gil_scoped_release unlocked;
        return fs.volume->open_path(path);
      }, py::arg("path"), "The Record of the file at path.")
      .def("record", [](const Ntfs& fs, std::uint64_t number) {
        py::gil_scoped_release unlocked;
        return fs.volume->read_file(number);
      }, py::arg("number"), "The Record with this MFT number.")
      .def("open", &open_path, py::arg("path"), py::arg("stream") = py::none(),
           "A stream as a File: \"/dir/file\" (the unnamed $DATA), \"/dir/file:name\" or stream=\"name\".")
      .def("open_record", [](const Ntfs& fs, std::uint64_t number, const std::string& stream) {
        std::shared_ptr<const ntfs::Stream> opened;
        {
          py::gil_scoped_release unlocked;
          opened = open_stream(fs, fs.volume->read_file(number), stream);
        }
        return make_file(std::move(opened));
      }, py::arg("number"), py::arg("stream") = "", "A stream of the file with this MFT number.")
      .def("used_map", &read_used_map, "The UsedMap from $Bitmap.")
      .def("used_extents", [](const Ntfs& fs) {
        const UsedMap map = read_used_map(fs);
        py::list out;
        map.for_each_extent([&](const ClusterExtent& e) { out.append(py::make_tuple(e.first, e.count)); });
        return out;
      }, "The used clusters as [(first cluster, count), ...].")
      .def("verify_used_map", [](const Ntfs& fs) {
        py::gil_scoped_release unlocked;
        return verify_used_map(*fs.volume, UsedMap::read(*fs.volume));
      }, "Checks $Bitmap against every file's runlists (UsedMapCheck).")
      .def("extract", [](const Ntfs& fs, py::handle paths, py::handle target, const std::string& streams,
                         py::object progress) { return run_extract(fs.volume, paths, target, streams, std::move(progress)); },
           py::arg("paths"), py::arg("target"), py::kw_only(), py::arg("streams") = "xattr",
           py::arg("progress") = py::none(),
           "Copies files and directory trees (a path or a list; \"/\" for all) into the directory target:\n"
           "bytes (sparse holes kept), named streams (streams=\"xattr\": user.ntfs.stream.NAME, or\n"
           "\"sidecar\": NAME:STREAM files), times, attributes; hard links as links. Returns an\n"
           "ExtractResult; what could not be restored is in .skipped, renamed entries in .renamed.")
      .def("__repr__", [](const Ntfs& fs) { return fmt::format("<diskimg.Ntfs \"{}\">", fs.volume->label()); });
}

}  // namespace diskimg::python
