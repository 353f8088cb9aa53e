#include "core/enum_names.hpp"
#include "layout/partition_types.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/layout/filesystem.hpp>
#include <diskimg/layout/gpt.hpp>
#include <diskimg/layout/mbr.hpp>
#include <diskimg/layout/partition_table.hpp>

#include <fmt/format.h>

namespace diskimg {

namespace {

constexpr std::array<EnumName<Scheme>, 3> scheme_names{{
    {Scheme::none, "none"}, {Scheme::mbr, "mbr"}, {Scheme::gpt, "gpt"}}};

constexpr std::array<EnumName<StructureKind>, 8> structure_names{{
    {StructureKind::mbr, "MBR"},
    {StructureKind::ebr, "EBR"},
    {StructureKind::protective_mbr, "protective MBR"},
    {StructureKind::gpt_primary_header, "GPT primary header"},
    {StructureKind::gpt_backup_header, "GPT backup header"},
    {StructureKind::gpt_primary_entries, "GPT primary entry array"},
    {StructureKind::gpt_backup_entries, "GPT backup entry array"},
    {StructureKind::gpt_damaged_header, "GPT primary header (damaged)"}}};

}  // namespace

std::string_view to_string(Scheme scheme) { return name_of(scheme_names, scheme, "none"); }

std::string_view to_string(StructureKind kind) { return name_of(structure_names, kind); }

std::string Partition::type() const {
  if (!type_guid.is_zero()) return type_guid.to_string();
  return fmt::format("{:#04x}", mbr_type);
}

std::string Partition::type_name() const {
  if (!type_guid.is_zero()) return std::string(gpt_type_name(type_guid));
  return std::string(mbr_type_name(mbr_type));
}

std::string PartitionTable::disk_id() const {
  switch (scheme) {
    case Scheme::mbr: return fmt::format("{:#010x}", mbr_signature);
    case Scheme::gpt: return disk_guid.to_string();
    case Scheme::none: break;
  }
  return {};
}

const Partition* PartitionTable::find(unsigned number) const {
  for (const Partition& partition : partitions) {
    if (partition.number == number) return &partition;
  }
  return nullptr;
}

PartitionTable read_partition_table(const ByteSource& disk, const LayoutOptions& options) {
  PartitionTable none;
  none.sector_size = options.sector_size.value_or(disk.sector_size());
  if (disk.size() < 512) return none;
  std::array<std::byte, 512> first_sector{};
  disk.read(0, first_sector);

  // A GPT header at LBA 1 decides both the scheme and, for a plain file, the sector size.
  const std::uint32_t found = find_gpt_sector_size(disk).value_or(0);
  const bool gpt_found = found != 0 && (!options.sector_size || *options.sector_size == found);
  if (gpt_found || is_protective_mbr(first_sector)) {
    return read_gpt(disk, gpt_found ? found : none.sector_size);
  }
  // A volume's boot sector also ends in 0x55AA: a bare NTFS or FAT image is not an MBR. Its
  // sectors are the size its boot sector declares (a 4096-byte-sector NTFS image is not a
  // disk of 512-byte sectors), unless the caller said otherwise.
  if (const auto declared = declared_sector_size(first_sector)) {
    if (!options.sector_size) none.sector_size = *declared;
    return none;
  }
  if (!looks_like_mbr(first_sector) || sniff_boot_sector(first_sector) != FilesystemKind::unknown) {
    return none;
  }
  return read_mbr(disk, none.sector_size);
}

}  // namespace diskimg
