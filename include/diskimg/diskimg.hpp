/// @file
/// The whole library in one include. Layers from the bottom: core, byte sources, partition
/// layouts, VHD and VHDX images, LDM disk groups, disks, NTFS, used-cluster maps, conversion
/// (docs/architecture.md). Each layer's headers can also be included on their own.
#pragma once

/// @mainpage diskimg
///
/// diskimg reads and writes disk images: partition tables (MBR with extended partitions,
/// GPT), Windows dynamic disks (LDM), NTFS down to file contents, used-cluster maps and VHD
/// images (fixed, dynamic, differencing), and converts a disk into a VHD or a sparse raw
/// file that holds only what is in use. `#include <diskimg/diskimg.hpp>` includes it all;
/// each layer's headers can be included on their own.
///
/// @section layers Layers
/// From the bottom; each uses only the layers above it in this list.
/// - core: diskimg::Error and its subclasses, diskimg::Warning, diskimg::Guid,
///   diskimg::Flags, byte helpers.
/// - byte sources: diskimg::ByteSource (diskimg::FileSource, diskimg::MemorySource,
///   diskimg::SliceSource, diskimg::PatchedSource) and diskimg::ByteSink.
/// - partition layouts: diskimg::read_partition_table (MBR, GPT), file-system sniffing,
///   new identifiers for copies.
/// - VHD: diskimg::vhd::VhdImage, diskimg::vhd::VhdWriter, diskimg::vhd::check_vhd,
///   diskimg::vhd::merge_into_parent.
/// - LDM: diskimg::ldm::read_database, diskimg::ldm::assemble_disk_group.
/// - disks: diskimg::Disk, where most work starts.
/// - shadow copies: diskimg::vss::ShadowCopies, an NTFS volume's VSS snapshots, each a byte
///   source of the volume as it was (between a volume's bytes and NTFS).
/// - NTFS: diskimg::ntfs::Volume, diskimg::ntfs::File, diskimg::ntfs::Stream,
///   diskimg::ntfs::Catalog, listings.
/// - used maps: diskimg::UsedMap, diskimg::verify_used_map.
/// - conversion: diskimg::plan_conversion, diskimg::convert.
///
/// @section contracts Contracts
/// Every class states what it owns and what it shares, whether several threads may use one
/// object at once, and what it throws; every function that does work states what it throws
/// and what a throw leaves behind. In general:
/// - Errors are the classes of core/error.hpp, all derived from diskimg::Error: FormatError
///   (the bytes are wrong), IoError (reading or writing failed), UnsupportedError,
///   NotFoundError, UsageError (and its OutputExistsError and VolumeChoiceError),
///   CancelledError. Each carries the structure and offset at fault in `where()`.
/// - Damage that can be worked around is a diskimg::Warning in the object read, not an
///   error.
/// - diskimg::SourcePtr is a `shared_ptr`: whatever holds one keeps that source, and
///   everything it reads through, alive.
/// - Objects that only read (byte sources, disks, NTFS volumes and streams, catalogs, used
///   maps) may be used from several threads at once through their const functions; the
///   caches inside them take locks. A diskimg::vhd::VhdWriter is for one thread at a time.
///   Plain structures are values: copy them, or share them read-only.

#include <diskimg/version.hpp>

#include <diskimg/core/bytes.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/core/guid.hpp>
#include <diskimg/core/size.hpp>

#include <diskimg/source/byte_sink.hpp>
#include <diskimg/source/byte_source.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/source/memory_source.hpp>
#include <diskimg/source/patched_source.hpp>
#include <diskimg/source/slice_source.hpp>
#include <diskimg/source/spliced_source.hpp>

#include <diskimg/layout/filesystem.hpp>
#include <diskimg/layout/gpt.hpp>
#include <diskimg/layout/mbr.hpp>
#include <diskimg/layout/partition_table.hpp>
#include <diskimg/layout/rewrite.hpp>

#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/vhd.hpp>
#include <diskimg/vhd/writer.hpp>
#include <diskimg/vhdx/check.hpp>
#include <diskimg/vhdx/image.hpp>
#include <diskimg/vhdx/vhdx.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <diskimg/ldm/database.hpp>
#include <diskimg/ldm/disk_group.hpp>

#include <diskimg/disk/disk.hpp>

#include <diskimg/ntfs/attribute.hpp>
#include <diskimg/ntfs/attribute_list.hpp>
#include <diskimg/ntfs/boot_sector.hpp>
#include <diskimg/ntfs/catalog.hpp>
#include <diskimg/ntfs/directory.hpp>
#include <diskimg/ntfs/file.hpp>
#include <diskimg/ntfs/file_name.hpp>
#include <diskimg/ntfs/file_record.hpp>
#include <diskimg/ntfs/listed_entry.hpp>
#include <diskimg/ntfs/listing.hpp>
#include <diskimg/ntfs/lznt1.hpp>
#include <diskimg/ntfs/runlist.hpp>
#include <diskimg/ntfs/security.hpp>
#include <diskimg/ntfs/standard_information.hpp>
#include <diskimg/ntfs/stream.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <diskimg/vss/shadow_copies.hpp>

#include <diskimg/usedmap/used_map.hpp>
#include <diskimg/extract/extract.hpp>

#include <diskimg/convert/convert.hpp>
#include <diskimg/convert/new_disk_id.hpp>
#include <diskimg/convert/plan.hpp>
#include <diskimg/convert/snapshot_disk.hpp>
#include <diskimg/convert/volume_disk.hpp>

/// @namespace diskimg
/// The library: the core types every layer shares, byte sources, partition layouts, disks,
/// used-cluster maps and conversion. VHD, LDM and NTFS have namespaces of their own.

/// @namespace diskimg::vhd
/// VHD images (Microsoft Virtual Hard Disk, format 1.0): reading through differencing
/// chains, writing fixed, dynamic and differencing disks, checking and merging.

/// @namespace diskimg::ldm
/// Windows dynamic disks (Logical Disk Manager): the database each member disk carries and
/// the disk group's volumes assembled from the member disks.

/// @namespace diskimg::ntfs
/// NTFS: the boot sector, MFT records, files, attribute streams, directory indexes and
/// listings of a volume.
