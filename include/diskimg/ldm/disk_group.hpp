/// @file
/// An LDM disk group assembled from the disks given: which member disk is which (by the disk
/// GUID in each one's PRIVHEAD), and every volume as a byte source where enough of its disks
/// are present. Simple, spanned, striped, mirrored and RAID-5 (left-symmetric) volumes;
/// columns and plexes may be made of several extents.
#pragma once

#include <diskimg/ldm/database.hpp>
#include <diskimg/source/byte_source.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace diskimg::ldm {

/// How an LDM volume lays out its bytes.
enum class VolumeLayout {
  simple,   ///< one extent
  spanned,  ///< several extents, one after another
  striped,  ///< chunks spread over columns in turn (RAID-0)
  mirror,   ///< several plexes holding the same bytes (RAID-1)
  raid5     ///< striped with rotating parity, left-symmetric
};
/// "simple", "spanned", "striped", "mirror", "raid5".
std::string_view to_string(VolumeLayout layout);

/// One partition record, placed on its disk.
struct Extent {
  std::string name;                 ///< "Disk1-01"
  std::string disk;                 ///< "Disk1"
  /// Bytes from the start of its disk (for a disk not given, placed by the newest
  /// database's data start).
  std::uint64_t disk_offset = 0;
  std::uint64_t data_offset = 0;    ///< bytes from the start of its disk's data area
  std::uint64_t volume_offset = 0;  ///< bytes within its column (or plex)
  std::uint64_t size = 0;           ///< bytes
  unsigned plex = 0;                ///< the component (mirrors have several)
  unsigned column = 0;              ///< its column in a striped or RAID-5 component
  bool present = false;             ///< its disk was given
};

/// One volume of the group. A value; `bytes` is shared with the disk group (and any copy).
struct GroupVolume {
  std::string name;                 ///< "Volume1"
  std::string guid;                 ///< lower-case text
  std::string drive_hint;           ///< "E:", or ""
  VolumeLayout layout = VolumeLayout::simple;  ///< how its bytes are laid out
  std::uint64_t size = 0;           ///< bytes
  std::uint64_t stripe_size = 0;    ///< bytes (striped, RAID-5)
  unsigned columns = 0;             ///< the component's columns (1 unless striped or RAID-5)
  std::uint8_t partition_type = 0;  ///< the MBR type a basic disk would use (0x07)
  std::vector<Extent> extents;      ///< every extent of every plex
  std::vector<std::string> missing_disks;  ///< members not given, by name
  /// "complete"; "degraded" (a mirror without some plexes, a RAID-5 without one column: it
  /// reads all the same); "missing" (too few disks to read it); "damaged" (its records do
  /// not describe a readable volume: the group's warnings say why).
  std::string state;
  /// The volume's bytes, read through the member disks' sources (kept alive); null when
  /// missing or damaged. Reads may come from several threads at once; a mirror reads the
  /// next plex when one throws IoError, and throws IoError when none can be read.
  SourcePtr bytes;
};

/// One member disk of the group, given or not.
struct GroupDisk {
  std::string name;                 ///< "Disk1"
  std::string guid;                 ///< lower-case text
  SourcePtr source;                 ///< null when not given
  std::uint64_t data_start = 0;     ///< bytes: its data area, from its own PRIVHEAD (when given)
  std::uint64_t data_size = 0;      ///< bytes (when given)
};

/// A disk group assembled from the disks given. A value: copy it or share it read-only
/// between threads; it shares the member disks' sources, which its volumes read.
struct DiskGroup {
  std::string name;                 ///< the group's name, from PRIVHEAD
  std::string guid;                 ///< the group's GUID, from PRIVHEAD
  std::vector<GroupDisk> disks;     ///< every disk record of the newest database, in order
  std::vector<GroupVolume> volumes; ///< every volume record of the newest database, in order
  /// The newest database's warnings, then those of assembling: records that belong to
  /// nothing, older databases, damaged and degraded volumes.
  Warnings warnings;
};

/// Where some of a volume's bytes lie on its disks.
struct DiskPiece {
  std::string disk;                 ///< "Disk1"
  std::uint64_t offset = 0;         ///< bytes from the start of that disk
  std::uint64_t length = 0;         ///< bytes
};

/// The pieces of every disk that hold the volume's bytes [offset, offset + length): every
/// plex of a mirror, and for RAID-5 the whole rows touched, parity included (what a copy of
/// the disks must keep for the volume to read the same). Pieces may overlap. A striped
/// volume whose stripe size is unknown (0) gives its extents whole. Reads nothing; never
/// throws a diskimg::Error. The work and the pieces grow with the plexes and columns, not
/// with the length (a column's share of a range is one piece per extent).
std::vector<DiskPiece> locate(const GroupVolume& volume, std::uint64_t offset, std::uint64_t length);

/// locate() for many ranges of one volume: the volume's plexes and columns are sorted once.
/// Copies what it needs of the volume; immutable, so several threads may use one at once.
/// Never throws a diskimg::Error.
class Locator {
 public:
  /// Prepares to locate ranges of `volume`.
  explicit Locator(const GroupVolume& volume);
  /// Appends the pieces of [offset, offset + length) to `out`, as locate() gives them.
  void locate(std::uint64_t offset, std::uint64_t length, std::vector<DiskPiece>& out) const;

 private:
  using Column = std::vector<Extent>;  // in volume-offset order
  void locate_striped(const std::vector<Column>& columns, std::uint64_t offset, std::uint64_t length,
                      std::vector<DiskPiece>& out) const;
  void locate_raid5(const std::vector<Column>& columns, std::uint64_t offset, std::uint64_t length,
                    std::vector<DiskPiece>& out) const;

  VolumeLayout layout_;
  std::uint64_t stripe_;
  std::vector<std::vector<Column>> plexes_;  // plex -> column (0, 1, ...) -> extents
};

/// One disk of a group to assemble: its bytes (shared) and its own database.
struct MemberDisk {
  SourcePtr source;   ///< the whole disk
  Database database;  ///< as read_database read it from `source`
};

/// Matches the members to the disk records of the newest database among them and builds each
/// volume; reads nothing itself. Throws UsageError when no disk is given, the disks belong
/// to different groups or one is given twice, FormatError when a record id is used twice. A
/// volume whose records do not describe a readable volume (extents past a disk's end, a
/// stripe size of zero, columns that do not add up, a missing parent, sizes past 64 bits)
/// is "damaged", with a warning naming the record.
DiskGroup assemble_disk_group(const std::vector<MemberDisk>& members);

}  // namespace diskimg::ldm
