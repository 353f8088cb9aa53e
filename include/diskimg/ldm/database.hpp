/// @file
/// Windows dynamic disks (Logical Disk Manager): the database every member disk carries, as
/// plain records. Found through a type 0x42 partition (MBR; PRIVHEAD at sector 6) or the LDM
/// metadata partition (GPT; PRIVHEAD in its last sector). See docs/ldm.md.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/layout/partition_table.hpp>
#include <diskimg/source/byte_source.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace diskimg::ldm {

/// A disk record: one member disk of the group.
struct DiskRecord {
  std::uint64_t id = 0;             ///< record id, unique in the database
  std::string name;                 ///< "Disk1"
  std::string guid;                 ///< lower-case text, as PRIVHEAD names its disk
};

/// How a component lays out its extents.
enum class ComponentLayout {
  striped = 1,       ///< chunks spread over the columns in turn
  concatenated = 2,  ///< extents one after another (simple and spanned volumes, mirror plexes)
  raid5 = 3          ///< striped with rotating parity
};

/// A component record: one plex of a volume (a mirror has several).
struct ComponentRecord {
  std::uint64_t id = 0;             ///< record id, unique in the database
  std::string name;                 ///< "Volume1-01"
  ComponentLayout layout = ComponentLayout::concatenated;  ///< how its extents lie
  std::uint64_t volume_id = 0;      ///< the parent volume
  std::uint64_t stripe_size = 0;    ///< sectors (striped, RAID-5)
  std::uint64_t columns = 0;        ///< striped, RAID-5
  std::uint64_t extent_count = 0;   ///< as the record says
};

/// A partition record: an extent of a component on one disk.
struct PartitionRecord {
  std::uint64_t id = 0;             ///< record id, unique in the database
  std::string name;                 ///< "Disk1-01"
  std::uint64_t start = 0;          ///< sectors from the disk's data area start
  std::uint64_t volume_offset = 0;  ///< sectors, within its column
  std::uint64_t size = 0;           ///< sectors
  std::uint64_t component_id = 0;   ///< the component it belongs to
  std::uint64_t disk_id = 0;        ///< the disk record of the disk it lies on
  std::uint64_t column = 0;         ///< its column (striped, RAID-5); 0 otherwise
};

/// A volume record: what Windows mounts.
struct VolumeRecord {
  std::uint64_t id = 0;             ///< record id, unique in the database
  std::string name;                 ///< "Volume1"
  std::string type;                 ///< "gen" or "raid5"
  std::uint64_t size = 0;           ///< sectors
  std::string guid;                 ///< lower-case text
  std::string drive_hint;           ///< "E:", or ""
  std::uint8_t partition_type = 0;  ///< the MBR type a basic disk would use (0x07)
  std::uint64_t component_count = 0;  ///< as the record says
};

/// One disk's copy of the LDM database, as plain records: checked once when read, a value
/// after that. Record fields in sectors are as stored; `sector_size` converts them.
struct Database {
  /// This disk, as the disk records name it (from its PRIVHEAD).
  std::string disk_guid;
  std::string disk_group_guid;      ///< from PRIVHEAD, as stored
  std::string disk_group_name;      ///< from PRIVHEAD
  std::uint32_t sector_size = 512;  ///< PRIVHEAD's sector size (512 or 4096), else the layout's
  std::uint64_t data_start = 0;     ///< sectors: where partition starts count from
  std::uint64_t data_size = 0;      ///< sectors
  std::uint64_t config_start = 0;   ///< sectors: the database itself
  std::uint64_t config_size = 0;    ///< sectors
  /// From the VMDB: the newest copy of the database wins when disks disagree.
  std::uint64_t committed_sequence = 0;
  std::vector<DiskRecord> disks;            ///< in record order
  std::vector<VolumeRecord> volumes;        ///< in record order
  std::vector<ComponentRecord> components;  ///< in record order
  std::vector<PartitionRecord> partitions;  ///< in record order
  /// What was worked around: a PRIVHEAD or TOCBLOCK copy used, a record skipped.
  Warnings warnings;

  /// The disk record with this id, or nullptr. Valid while `disks` is not changed.
  const DiskRecord* find_disk(std::uint64_t id) const;
};

/// Whether the layout holds an LDM database (a 0x42 partition or an LDM metadata partition).
bool has_database(const PartitionTable& layout);
/// Whether a partition belongs to LDM (0x42 on MBR; LDM metadata or data on GPT): it holds
/// no file system of its own, the volumes inside it do.
bool is_ldm_partition(const PartitionTable& layout, const Partition& partition);

/// Reads the database of a disk whose layout has one: PRIVHEAD (checksum, the primary copy
/// or its backups), the TOCBLOCK it points to, the VMDB and every VBLK record, fragments
/// joined. Throws FormatError naming the structure and its sector when it cannot be used,
/// IoError when a sector cannot be read.
Database read_database(const ByteSource& disk, const PartitionTable& layout);

/// Parses the VBLK area (VMDB header first) on its own: for tests and fuzzing. Sets the
/// committed sequence and appends the records and warnings to `database`, whose
/// sector_size places the errors. Throws FormatError naming the VMDB or the VBLK slot at
/// fault; `database` may then hold some of the records.
void parse_vblks(std::span<const std::byte> config, std::uint64_t config_start_sector, Database& database);

}  // namespace diskimg::ldm
