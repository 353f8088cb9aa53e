/// @file
/// The whole library in one include. Layers from the bottom: core, byte sources, partition
/// layouts, VHD images, LDM disk groups, disks, NTFS, used-cluster maps, conversion
/// (docs/architecture.md). Each layer's headers can also be included on their own.
#pragma once

#include <diskimg/version.hpp>

#include <diskimg/core/bytes.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/core/guid.hpp>

#include <diskimg/source/byte_sink.hpp>
#include <diskimg/source/byte_source.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/source/memory_source.hpp>
#include <diskimg/source/patched_source.hpp>
#include <diskimg/source/slice_source.hpp>

#include <diskimg/layout/filesystem.hpp>
#include <diskimg/layout/gpt.hpp>
#include <diskimg/layout/mbr.hpp>
#include <diskimg/layout/partition_table.hpp>
#include <diskimg/layout/rewrite.hpp>

#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/vhd.hpp>
#include <diskimg/vhd/writer.hpp>

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
#include <diskimg/ntfs/stream.hpp>
#include <diskimg/ntfs/volume.hpp>

#include <diskimg/usedmap/used_map.hpp>

#include <diskimg/convert/convert.hpp>
#include <diskimg/convert/new_disk_id.hpp>
#include <diskimg/convert/plan.hpp>
#include <diskimg/convert/volume_disk.hpp>
