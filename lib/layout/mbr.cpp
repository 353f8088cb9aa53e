#include "core/load.hpp"
#include "layout/mbr_structures.hpp"
#include "layout/overlaps.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/layout/mbr.hpp>

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace diskimg {
namespace {

// Linux numbers logical partitions from 5; a chain longer than this is taken to be hostile.
constexpr unsigned max_logical_partitions = 1024;

mbr::BootSector read_boot_sector(const ByteSource& disk, std::uint64_t offset) {
  std::array<std::byte, sizeof(mbr::BootSector)> bytes{};
  disk.read(offset, bytes);
  return load<mbr::BootSector>(bytes, 0, "MBR");  // exactly its size was read
}

bool is_used(const mbr::PartitionEntry& entry) {
  // Linux skips entries with no sectors whatever their type.
  return entry.type != mbr::type_empty && entry.sector_count.value() != 0;
}

Partition make_partition(const mbr::PartitionEntry& entry, unsigned number,
                         std::uint64_t first_lba, std::uint32_t sector_size) {
  Partition partition;
  partition.number = number;
  partition.start = first_lba * sector_size;
  partition.size = std::uint64_t{entry.sector_count.value()} * sector_size;
  partition.bootable = entry.status == 0x80;
  partition.mbr_type = entry.type;
  partition.extended = mbr::is_extended_type(entry.type);
  return partition;
}

// Walks one extended partition's EBR chain. Each EBR's first entry is a logical partition
// whose start is relative to that EBR; its second entry links to the next EBR, relative to
// the start of the extended partition (Linux msdos.c parse_extended).
void read_ebr_chain(const ByteSource& disk, const Partition& extended, PartitionTable& table,
                    unsigned& next_number) {
  const std::uint32_t sector_size = table.sector_size;
  const std::uint64_t extended_lba = extended.start / sector_size;
  const std::uint64_t extended_sectors = extended.size / sector_size;
  std::set<std::uint64_t> visited;
  std::uint64_t ebr_lba = extended_lba;

  while (true) {
    const std::uint64_t offset = ebr_lba * sector_size;
    const Location here{"EBR", offset};
    if (!visited.insert(ebr_lba).second) {
      table.warnings.emplace_back(here, fmt::format(
          "mbr: EBR chain of partition {} loops back to LBA {} (offset {:#x}); chain cut there",
          extended.number, ebr_lba, offset));
      return;
    }
    if (next_number - 5 >= max_logical_partitions) {
      table.warnings.emplace_back(here, fmt::format(
          "mbr: EBR chain of partition {} has more than {} logical partitions; chain cut at "
          "LBA {}", extended.number, max_logical_partitions, ebr_lba));
      return;
    }
    if (offset + sector_size > disk.size()) {
      table.warnings.emplace_back(here, fmt::format(
          "mbr: EBR at LBA {} (offset {:#x}) lies past the end of the disk; chain cut there",
          ebr_lba, offset));
      return;
    }
    const mbr::BootSector ebr = read_boot_sector(disk, offset);
    if (ebr.signature[0] != 0x55 || ebr.signature[1] != 0xAA) {
      table.warnings.emplace_back(here, fmt::format(
          "mbr: EBR at LBA {} (offset {:#x}) has no 0x55AA signature; chain cut there",
          ebr_lba, offset));
      return;
    }
    table.structures.push_back({offset, sector_size, StructureKind::ebr});

    const mbr::PartitionEntry* link = nullptr;
    for (const mbr::PartitionEntry& entry : ebr.entries) {
      if (!is_used(entry)) continue;
      if (mbr::is_extended_type(entry.type)) {
        if (link == nullptr) link = &entry;
        continue;
      }
      Partition logical = make_partition(entry, next_number++,
                                         ebr_lba + entry.first_lba.value(), sector_size);
      logical.logical = true;
      if (logical.end() > extended.end()) {
        table.warnings.emplace_back(here, fmt::format(
            "mbr: logical partition {} (EBR at LBA {}) ends past its extended partition {}",
            logical.number, ebr_lba, extended.number));
      }
      table.partitions.push_back(logical);
    }
    if (link == nullptr) return;
    const std::uint64_t relative = link->first_lba.value();
    if (relative == 0 || relative >= extended_sectors) {
      table.warnings.emplace_back(here, fmt::format(
          "mbr: EBR at LBA {} links to relative LBA {}, outside extended partition {} ({} "
          "sectors); chain cut there", ebr_lba, relative, extended.number, extended_sectors));
      return;
    }
    ebr_lba = extended_lba + relative;
  }
}

void warn_past_end(PartitionTable& table, std::uint64_t disk_size) {
  for (const Partition& partition : table.partitions) {
    if (partition.end() > disk_size) {
      table.warnings.emplace_back(Location{fmt::format("partition {}", partition.number), partition.start}, fmt::format(
          "mbr: partition {} (offset {:#x}, {} bytes) extends past the end of the disk "
          "({} bytes)", partition.number, partition.start, partition.size, disk_size));
    }
  }
}

}  // namespace

bool has_boot_signature(std::span<const std::byte> first_sector) {
  return first_sector.size() >= 512 && first_sector[510] == std::byte{0x55} &&
         first_sector[511] == std::byte{0xAA};
}

bool looks_like_mbr(std::span<const std::byte> first_sector) {
  if (!has_boot_signature(first_sector)) return false;
  const auto sector = load<mbr::BootSector>(first_sector, 0, "MBR");  // 512 bytes: the signature is there
  return std::all_of(sector.entries.begin(), sector.entries.end(),
                     [](const mbr::PartitionEntry& entry) {
                       return entry.status == 0x00 || entry.status == 0x80;
                     });
}

bool is_protective_mbr(std::span<const std::byte> first_sector) {
  if (!has_boot_signature(first_sector)) return false;
  const auto sector = load<mbr::BootSector>(first_sector, 0, "MBR");  // 512 bytes: the signature is there
  for (const mbr::PartitionEntry& entry : sector.entries) {
    if (entry.type == mbr::type_gpt_protective) return true;
  }
  return false;
}

PartitionTable read_mbr(const ByteSource& disk, std::uint32_t sector_size) {
  PartitionTable table;
  table.scheme = Scheme::mbr;
  table.sector_size = sector_size;
  const mbr::BootSector sector = read_boot_sector(disk, 0);
  if (sector.signature[0] != 0x55 || sector.signature[1] != 0xAA) {
    throw FormatError("mbr: sector 0 (offset 0x0) has no 0x55AA boot signature", {"MBR", 0});
  }
  table.mbr_signature = sector.disk_signature.value();
  table.structures.push_back({0, sector_size, StructureKind::mbr});

  for (unsigned slot = 0; slot < 4; ++slot) {
    const mbr::PartitionEntry& entry = sector.entries[slot];
    if (!is_used(entry)) continue;
    table.partitions.push_back(
        make_partition(entry, slot + 1, entry.first_lba.value(), sector_size));
  }

  unsigned next_logical = 5;
  unsigned extended_count = 0;
  const std::size_t primary_count = table.partitions.size();
  for (std::size_t i = 0; i < primary_count; ++i) {
    const Partition primary = table.partitions[i];
    if (!primary.extended) continue;
    if (++extended_count > 1) {
      table.warnings.emplace_back(Location{"MBR", 0}, fmt::format(
          "mbr: more than one extended partition; partition {} is read as well, but other "
          "tools may ignore it", primary.number));
    }
    read_ebr_chain(disk, primary, table, next_logical);
  }
  warn_past_end(table, disk.size());
  warn_overlaps(table, "mbr");
  return table;
}

}  // namespace diskimg
