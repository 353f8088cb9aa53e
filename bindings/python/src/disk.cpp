// diskimg.open() and what it returns: the disk (container, partition layout, volumes), its
// partitions and volumes, each of which opens as a file or, for NTFS, as a file system.
#include "bindings.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/volume.hpp>
#include <diskimg/vss/shadow_copies.hpp>

#include <optional>

#include <pybind11/stl.h>

namespace diskimg::python {
namespace {

// A shadow copy for Python: its description and the volume's copies it opens from.
struct SnapshotHandle {
  vss::Snapshot info;
  std::shared_ptr<const vss::ShadowCopies> copies;
};

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return text;
}


OpenDisk open_disk(py::handle sources) {
  const std::vector<std::filesystem::path> paths = to_paths(sources);
  if (paths.empty()) throw UsageError("open: no source given");
  py::gil_scoped_release unlocked;
  return OpenDisk(Disk::open(paths));
}

std::optional<std::string> gpt_only(const Partition& partition, const Guid& guid) {
  if (partition.type_guid.is_zero()) return std::nullopt;
  return guid.to_string();
}

}  // namespace

void bind_ldm(py::module_& module) {
  py::class_<ldm::Extent>(module, "LdmExtent", "One LDM partition record, placed on its disk.")
      .def_readonly("name", &ldm::Extent::name, "\"Disk1-01\"")
      .def_readonly("disk", &ldm::Extent::disk)
      .def_readonly("disk_offset", &ldm::Extent::disk_offset, "Bytes from the start of its disk.")
      .def_readonly("data_offset", &ldm::Extent::data_offset, "Bytes from its disk's data area.")
      .def_readonly("volume_offset", &ldm::Extent::volume_offset, "Bytes within its column or plex.")
      .def_readonly("size", &ldm::Extent::size)
      .def_readonly("plex", &ldm::Extent::plex)
      .def_readonly("column", &ldm::Extent::column)
      .def_readonly("present", &ldm::Extent::present, "Whether its disk was given.");
  py::class_<ldm::GroupVolume>(module, "LdmVolume", "An LDM volume of the disk group.")
      .def_readonly("name", &ldm::GroupVolume::name)
      .def_readonly("guid", &ldm::GroupVolume::guid)
      .def_readonly("drive_hint", &ldm::GroupVolume::drive_hint)
      .def_property_readonly("layout", [](const ldm::GroupVolume& v) { return std::string(to_string(v.layout)); },
                             "simple, spanned, striped, mirror or raid5.")
      .def_readonly("size", &ldm::GroupVolume::size)
      .def_readonly("stripe_size", &ldm::GroupVolume::stripe_size)
      .def_readonly("columns", &ldm::GroupVolume::columns)
      .def_readonly("extents", &ldm::GroupVolume::extents)
      .def_readonly("missing_disks", &ldm::GroupVolume::missing_disks)
      .def_readonly("state", &ldm::GroupVolume::state, "complete, degraded or missing.");
  py::class_<ldm::GroupDisk>(module, "LdmDisk", "A member disk of the group.")
      .def_readonly("name", &ldm::GroupDisk::name)
      .def_readonly("guid", &ldm::GroupDisk::guid)
      .def_property_readonly("present", [](const ldm::GroupDisk& d) { return d.source != nullptr; })
      .def_property_readonly("source", [](const ldm::GroupDisk& d) -> std::optional<std::string> {
        if (!d.source) return std::nullopt;
        return d.source->name();
      }, "The image it was read from, or None.")
      .def_readonly("data_start", &ldm::GroupDisk::data_start)
      .def_readonly("data_size", &ldm::GroupDisk::data_size);
  py::class_<ldm::DiskGroup>(module, "DiskGroup", "A Windows dynamic-disk group (LDM).")
      .def_readonly("name", &ldm::DiskGroup::name)
      .def_readonly("guid", &ldm::DiskGroup::guid)
      .def_readonly("disks", &ldm::DiskGroup::disks)
      .def_readonly("volumes", &ldm::DiskGroup::volumes)
      .def_readonly("warnings", &ldm::DiskGroup::warnings);
}

void bind_disk(py::module_& module) {
  bind_ldm(module);
  py::class_<Container>(module, "Container", "What the disk's bytes came in: a raw image or a VHD chain.")
      .def_property_readonly("format", [](const Container& c) { return std::string(to_string(c.format)); },
                             "raw, vhd-fixed, vhd-dynamic or vhd-differencing")
      .def_readonly("virtual_size", &Container::virtual_size, "Bytes the guest sees.")
      .def_readonly("chain", &Container::chain, "The files read, child first.")
      .def("__repr__", [](const Container& c) { return "<diskimg.Container " + std::string(to_string(c.format)) + ">"; });

  py::class_<Partition>(module, "Partition",
                        "A partition, numbered as sfdisk and sgdisk number them (MBR logical "
                        "partitions from 5; GPT entries by slot).")
      .def_readonly("number", &Partition::number)
      .def_readonly("start", &Partition::start, "Bytes from the start of the disk.")
      .def_readonly("size", &Partition::size, "Bytes.")
      .def_property_readonly("type", &Partition::type, "\"0x07\" (MBR) or the type GUID (GPT).")
      .def_property_readonly("type_name", &Partition::type_name)
      .def_readonly("name", &Partition::name, "GPT partition name (\"\" for MBR).")
      .def_property_readonly("guid", [](const Partition& p) { return gpt_only(p, p.guid); },
                             "GPT unique partition GUID; None for MBR.")
      .def_property_readonly("attributes", [](const Partition& p) -> std::optional<std::uint64_t> {
        if (p.type_guid.is_zero()) return std::nullopt;
        return p.attributes;
      }, "GPT attribute bits; None for MBR.")
      .def_readonly("bootable", &Partition::bootable)
      .def_readonly("logical", &Partition::logical)
      .def_readonly("extended", &Partition::extended, "An MBR extended partition (a container).")
      .def("__repr__", [](const Partition& p) {
        return "<diskimg.Partition " + std::to_string(p.number) + " " + p.type_name() + ", " +
               std::to_string(p.size) + " bytes at " + std::to_string(p.start) + ">";
      });

  py::class_<SnapshotHandle>(module, "Snapshot",
                             "A shadow copy (VSS snapshot) of an NTFS volume: the volume as it was when it was taken.")
      .def_property_readonly("index", [](const SnapshotHandle& s) { return s.info.index; },
                             "From 1, the oldest first (as vshadowinfo numbers stores): the number that chooses it.")
      .def_property_readonly("id", [](const SnapshotHandle& s) { return lower(s.info.id.to_string()); },
                             "The store's identifier.")
      .def_property_readonly("shadow_copy_id", [](const SnapshotHandle& s) { return lower(s.info.shadow_copy_id.to_string()); })
      .def_property_readonly("set_id", [](const SnapshotHandle& s) { return lower(s.info.set_id.to_string()); },
                             "The shadow copy set it belongs to.")
      .def_property_readonly("created", [](const SnapshotHandle& s) { return filetime_datetime(s.info.created); },
                             "When it was taken, an aware datetime in UTC.")
      .def_property_readonly("volume_size", [](const SnapshotHandle& s) { return s.info.volume_size; })
      .def_property_readonly("flags", [](const SnapshotHandle& s) { return s.info.flags; },
                             "Attribute flags (VSS_VOLSNAP_ATTR_*).")
      .def_property_readonly("offline", [](const SnapshotHandle& s) { return s.info.offline; },
                             "Marked offline: Windows no longer shows it.")
      .def_property_readonly("store_extents", [](const SnapshotHandle& s) {
        py::list extents;
        for (const vss::StoreExtent& e : s.info.store_extents) extents.append(py::make_tuple(e.offset, e.length, e.store_offset));
        return extents;
      }, "Where the store keeps its data: (volume offset, length, offset in the store) each, by volume offset; "
         "empty when the store does not say.")
      .def_property_readonly("problem", [](const SnapshotHandle& s) { return s.info.problem; },
                             "Why it cannot be read (a damaged store); empty when it can.")
      .def("open", [](const SnapshotHandle& s) {
        SourcePtr bytes;
        {
          py::gil_scoped_release unlocked;
          bytes = s.copies->open(s.info.index);
        }
        return make_file(std::move(bytes));
      }, "The volume's bytes as this shadow copy saw them, as a File.")
      .def("ntfs", [](const SnapshotHandle& s) {
        std::shared_ptr<const ntfs::Volume> volume;
        {
          py::gil_scoped_release unlocked;
          volume = ntfs::Volume::open(s.copies->open(s.info.index));
        }
        return make_ntfs(std::move(volume));
      }, "Opens the NTFS file system as this shadow copy saw it (diskimg.Ntfs).")
      .def("__repr__", [](const SnapshotHandle& s) {
        return "<diskimg.Snapshot " + std::to_string(s.info.index) + " " + lower(s.info.id.to_string()) +
               (s.info.offline ? " offline" : "") + ">";
      });

  py::class_<Volume>(module, "Volume",
                     "Something that holds a file system: a partition or a whole unpartitioned image.")
      .def_readonly("index", &Volume::index, "From 0, in the order of Disk.volumes: the number that chooses it (volume=N).")
      .def_property_readonly("source", &Volume::origin_name, "\"partition 2\", \"ldm Volume1\", \"whole image\".")
      .def_property_readonly("ldm", [](const Volume& v) { return v.origin == VolumeOrigin::ldm; },
                             "An LDM volume, assembled from the group's disks.")
      .def_readonly("partition", &Volume::partition, "The partition's number, or None.")
      .def_readonly("offset", &Volume::offset, "Bytes from the start of the disk (0 for an LDM volume).")
      .def_readonly("size", &Volume::size)
      .def_property_readonly("filesystem", [](const Volume& v) { return std::string(to_string(v.filesystem)); },
                             "ntfs, fat, exfat or unknown.")
      .def("open", [](const Volume& v) { return make_file(v.bytes); }, "The volume's bytes as a File.")
      .def_property_readonly("snapshots", [](const Volume& v) {
        std::vector<SnapshotHandle> list;
        if (v.filesystem != FilesystemKind::ntfs) return list;
        std::shared_ptr<const vss::ShadowCopies> copies;
        {
          py::gil_scoped_release unlocked;
          copies = std::make_shared<const vss::ShadowCopies>(v.bytes);
        }
        for (const vss::Snapshot& snapshot : copies->snapshots()) list.push_back({snapshot, copies});
        return list;
      }, "The NTFS volume's shadow copies (diskimg.Snapshot), oldest first; [] for other volumes.")
      .def("ntfs", [](const Volume& v) {
        if (v.filesystem != FilesystemKind::ntfs) {
          throw UsageError("volume " + std::to_string(v.index) + " (" + v.origin_name() + ") holds " +
                           std::string(to_string(v.filesystem)) + ", not NTFS");
        }
        std::shared_ptr<const ntfs::Volume> volume;
        {
          py::gil_scoped_release unlocked;
          volume = ntfs::Volume::open(v.bytes);
        }
        return make_ntfs(std::move(volume));
      }, "Opens the NTFS file system (diskimg.Ntfs).")
      .def("__repr__", [](const Volume& v) {
        return "<diskimg.Volume " + std::to_string(v.index) + " (" + v.origin_name() + ") " +
               std::string(to_string(v.filesystem)) + ", " + std::to_string(v.size) + " bytes>";
      });

  py::class_<OpenDisk>(module, "Disk",
                       "A disk image, block device or VHD (read through its chain): its layout and "
                       "volumes. A context manager; close() releases it.")
      .def_property_readonly("name", [](const OpenDisk& d) { return d.get().source()->name(); })
      .def_property_readonly("size", [](const OpenDisk& d) { return d.get().size(); }, "Bytes.")
      .def_property_readonly("sector_size", [](const OpenDisk& d) { return d.get().sector_size(); })
      .def_property_readonly("scheme", [](const OpenDisk& d) { return std::string(to_string(d.get().layout().scheme)); },
                             "mbr, gpt or none.")
      .def_property_readonly("disk_id", [](const OpenDisk& d) { return d.get().layout().disk_id(); },
                             "\"0x1234abcd\" (MBR signature), the disk GUID (GPT) or \"\".")
      .def_property_readonly("container", [](const OpenDisk& d) { return d.get().container(); })
      .def_property_readonly("partitions", [](const OpenDisk& d) { return d.get().layout().partitions; })
      .def_property_readonly("volumes", [](const OpenDisk& d) { return d.get().volumes(); })
      .def_property_readonly("ldm", [](const OpenDisk& d) { return d.get().ldm(); },
                             "The LDM disk group (DiskGroup) of a dynamic disk, else None.")
      .def_property_readonly("warnings", [](const OpenDisk& d) { return d.get().warnings(); },
                             "Damage worked around while reading the layout.")
      .def("volume", [](const OpenDisk& d, unsigned index) { return d.get().volume(index); }, py::arg("index"),
           "The volume with this index; UsageError names the valid range otherwise.")
      .def("open", [](const OpenDisk& d) { return make_file(d.get().source()); },
           "The disk's bytes (through a VHD chain) as a File.")
      .def_property_readonly("closed", &OpenDisk::closed)
      .def("close", &OpenDisk::close)
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](OpenDisk& self, py::args) { self.close(); })
      .def("__repr__", [](const OpenDisk& d) {
        if (d.closed()) return std::string("<diskimg.Disk closed>");
        return "<diskimg.Disk " + d.get().source()->name() + ", " + std::to_string(d.get().size()) + " bytes, " +
               std::string(to_string(d.get().layout().scheme)) + ">";
      });

  module.def("open", &open_disk, py::arg("source"),
             "Opens a disk image, block device or VHD (through its differencing chain).\n"
             "source: a path, or a list of paths: the disks of one LDM disk group (the first is the\n"
             "disk whose layout is shown; volumes use extents from all of them).");
}

}  // namespace diskimg::python
