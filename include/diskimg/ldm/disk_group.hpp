// An LDM disk group assembled from the disks given: which member disk is which (by the disk
// GUID in each one's PRIVHEAD), and every volume as a byte source where enough of its disks
// are present. Simple, spanned, striped, mirrored and RAID-5 (left-symmetric) volumes;
// columns and plexes may be made of several extents.
#pragma once

#include <diskimg/ldm/database.hpp>
#include <diskimg/source/byte_source.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace diskimg::ldm {

enum class VolumeLayout { simple, spanned, striped, mirror, raid5 };
std::string_view to_string(VolumeLayout layout);

struct Extent {                     // one partition record, placed on its disk
  std::string name;                 // "Disk1-01"
  std::string disk;                 // "Disk1"
  std::uint64_t disk_offset = 0;    // bytes from the start of its disk (for a disk not given,
                                    // placed by the newest database's data start)
  std::uint64_t data_offset = 0;    // bytes from the start of its disk's data area
  std::uint64_t volume_offset = 0;  // bytes within its column (or plex)
  std::uint64_t size = 0;           // bytes
  unsigned plex = 0;                // the component (mirrors have several)
  unsigned column = 0;
  bool present = false;             // its disk was given
};

struct GroupVolume {
  std::string name;
  std::string guid;
  std::string drive_hint;
  VolumeLayout layout = VolumeLayout::simple;
  std::uint64_t size = 0;           // bytes
  std::uint64_t stripe_size = 0;    // bytes (striped, RAID-5)
  unsigned columns = 0;
  std::uint8_t partition_type = 0;
  std::vector<Extent> extents;
  std::vector<std::string> missing_disks;  // members not given, by name
  // "complete"; "degraded" (a mirror without some plexes, a RAID-5 without one column: it
  // reads all the same); "missing" (too few disks to read it); "damaged" (its records do
  // not describe a readable volume: the group's warnings say why).
  std::string state;
  SourcePtr bytes;                  // null when missing
};

struct GroupDisk {
  std::string name;                 // "Disk1"
  std::string guid;
  SourcePtr source;                 // null when not given
  std::uint64_t data_start = 0;     // bytes: its data area, from its own PRIVHEAD (when given)
  std::uint64_t data_size = 0;
};

struct DiskGroup {
  std::string name;
  std::string guid;
  std::vector<GroupDisk> disks;
  std::vector<GroupVolume> volumes;
  Warnings warnings;
};

// Where some of a volume's bytes lie on its disks.
struct DiskPiece {
  std::string disk;                 // "Disk1"
  std::uint64_t offset = 0;         // bytes from the start of that disk
  std::uint64_t length = 0;
};

// The pieces of every disk that hold the volume's bytes [offset, offset + length): every
// plex of a mirror, and for RAID-5 the whole rows touched, parity included (what a copy of
// the disks must keep for the volume to read the same). Pieces may overlap.
std::vector<DiskPiece> locate(const GroupVolume& volume, std::uint64_t offset, std::uint64_t length);

struct MemberDisk {
  SourcePtr source;
  Database database;
};

// Matches the members to the disk records of the newest database among them and builds each
// volume. Throws UsageError when the disks belong to different groups or one is given twice,
// FormatError when a record id is used twice. A volume whose records do not describe a
// readable volume (extents past a disk's end, a stripe size of zero, columns that do not add
// up, a missing parent, sizes past 64 bits) is "damaged", with a warning naming the record.
DiskGroup assemble_disk_group(const std::vector<MemberDisk>& members);

}  // namespace diskimg::ldm
