#include "core/arithmetic.hpp"
#include "core/checksums.hpp"
#include "core/crc32.hpp"
#include "core/load.hpp"
#include "core/utf.hpp"
#include "layout/gpt_header.hpp"
#include "layout/gpt_structures.hpp"
#include "layout/overlaps.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/layout/gpt.hpp>
#include <diskimg/layout/mbr.hpp>

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace diskimg {
namespace {

// The specification asks for at least 16 KiB of entries; sgdisk allows more. Anything
// above this is taken to be hostile rather than allocated.
constexpr std::uint64_t max_entry_array_bytes = 4 << 20;
constexpr std::uint32_t max_entry_size = 4096;


std::string where(std::uint64_t lba, std::uint32_t sector_size) {
  const std::optional<std::uint64_t> offset = checked_multiply(lba, sector_size);
  return offset ? fmt::format("LBA {}, offset {:#x}", lba, *offset) : fmt::format("LBA {}", lba);
}

std::string check_header_fields(const gpt::Header& header, std::uint64_t lba,
                                std::uint64_t disk_sectors, std::uint32_t sector_size) {
  if (header.my_lba.value() != lba) {
    return fmt::format("header says it lies at LBA {}", header.my_lba.value());
  }
  const std::uint32_t entry_size = header.entry_size.value();
  if (entry_size < sizeof(gpt::Entry) || entry_size > max_entry_size ||
      (entry_size & (entry_size - 1)) != 0) {
    return fmt::format("entry size {} is not 128 x 2^n (at most {})", entry_size,
                       max_entry_size);
  }
  const std::uint64_t array_bytes = std::uint64_t{header.entry_count.value()} * entry_size;
  if (array_bytes > max_entry_array_bytes) {
    return fmt::format("entry array of {} x {} bytes exceeds the {}-byte limit",
                       header.entry_count.value(), entry_size, max_entry_array_bytes);
  }
  const std::uint64_t array_sectors = (array_bytes + sector_size - 1) / sector_size;
  const std::uint64_t entries_lba = header.entries_lba.value();
  if (entries_lba < 1 || entries_lba >= disk_sectors || array_sectors > disk_sectors - entries_lba) {
    return fmt::format("entry array at LBA {} ({} sectors) does not fit on the disk ({} sectors)",
                       entries_lba, array_sectors, disk_sectors);
  }
  const std::uint64_t first_usable = header.first_usable_lba.value();
  const std::uint64_t last_usable = header.last_usable_lba.value();
  if (first_usable > last_usable + 1 || last_usable >= disk_sectors) {
    return fmt::format("usable LBAs {}..{} do not fit on the disk ({} sectors)", first_usable,
                       last_usable, disk_sectors);
  }
  return {};
}


std::string entry_name(const gpt::Entry& entry) {
  return utf16le_to_utf8(utf16le_before_nul(std::as_bytes(std::span(entry.name))));
}

void read_entries(const HeaderRead& chosen, std::uint64_t disk_sectors, PartitionTable& table) {
  const std::uint32_t entry_size = chosen.header.entry_size.value();
  const std::uint32_t count = chosen.header.entry_count.value();
  const std::uint32_t sector_size = table.sector_size;
  const auto entry_location = [&](const HeaderRead& read, std::uint32_t slot) {
    return Location{fmt::format("GPT entry {}", slot + 1),
                    read.header.entries_lba.value() * sector_size + std::uint64_t{slot} * entry_size};
  };
  for (std::uint32_t slot = 0; slot < count; ++slot) {
    const auto entry = load<gpt::Entry>(chosen.entries, std::size_t{slot} * entry_size, "GPT entry");
    const Guid type = Guid::from_mixed_endian(entry.type_guid);
    if (type.is_zero()) continue;
    const std::uint64_t first = entry.first_lba.value();
    const std::uint64_t last = entry.last_lba.value();
    if (first > last || last >= std::numeric_limits<std::uint64_t>::max() / sector_size) {
      table.warnings.emplace_back(entry_location(chosen, slot), fmt::format(
          "gpt: entry {} has impossible LBAs {}..{}; ignored", slot + 1, first, last));
      continue;
    }
    if (last >= disk_sectors) {
      table.warnings.emplace_back(entry_location(chosen, slot), fmt::format(
          "gpt: partition {} (LBAs {}..{}) extends past the end of the disk ({} sectors)",
          slot + 1, first, last, disk_sectors));
    }
    Partition partition;
    partition.number = slot + 1;
    partition.start = first * sector_size;
    partition.size = (last - first + 1) * sector_size;
    partition.type_guid = type;
    partition.guid = Guid::from_mixed_endian(entry.unique_guid);
    partition.attributes = entry.attributes.value();
    partition.name = entry_name(entry);
    table.partitions.push_back(std::move(partition));
  }
}

// A checksum mismatch let through (advisory checksums) is a warning.
void warn_checksum(const HeaderRead& read, std::string_view which, PartitionTable& table) {
  if (read.checksum_fault.empty()) return;
  table.warnings.emplace_back(Location{fmt::format("GPT {} header", which), read.lba * table.sector_size},
                              fmt::format("gpt: {} header ({}): {}; used anyway (checksums are advisory)",
                                          which, where(read.lba, table.sector_size), read.checksum_fault));
}

void add_structures(const HeaderRead& read, StructureKind header, StructureKind entries,
                    PartitionTable& table) {
  const std::uint32_t sector_size = table.sector_size;
  const std::uint64_t lba = read.header.my_lba.value();
  table.structures.push_back({lba * sector_size, sector_size, header});
  const std::uint64_t array_bytes =
      std::uint64_t{read.header.entry_count.value()} * read.header.entry_size.value();
  const std::uint64_t rounded = (array_bytes + sector_size - 1) / sector_size * sector_size;
  table.structures.push_back({read.header.entries_lba.value() * sector_size, rounded, entries});
}

}  // namespace

HeaderRead read_header(const ByteSource& disk, std::uint64_t lba, std::uint32_t sector_size) {
  HeaderRead result;
  result.lba = lba;
  const std::uint64_t disk_sectors = disk.size() / sector_size;
  if (lba >= disk_sectors) {
    result.fault = "lies past the end of the disk";
    return result;
  }
  const std::vector<std::byte> sector = disk.read(lba * sector_size, sector_size);
  result.header = load<gpt::Header>(sector, 0, "GPT header");
  const gpt::Header& header = result.header;
  if (header.signature != gpt::signature) {
    result.fault = "no \"EFI PART\" signature";
    return result;
  }
  const std::uint32_t header_size = header.header_size.value();
  if (header_size < sizeof(gpt::Header) || header_size > sector_size) {
    result.fault = fmt::format("header size {} is outside 92..{}", header_size, sector_size);
    return result;
  }
  std::vector<std::byte> checked(sector.begin(), sector.begin() + header_size);
  std::fill_n(checked.begin() + offsetof(gpt::Header, header_crc32), 4, std::byte{0});
  const std::uint32_t computed = crc32_of(checked);
  if (computed != header.header_crc32.value()) {
    const std::string mismatch = fmt::format("header CRC32 mismatch (stored {:#010x}, computed {:#010x})",
                                             header.header_crc32.value(), computed);
    if (!checksums_are_advisory()) {
      result.fault = mismatch;
      return result;
    }
    result.checksum_fault = mismatch;
  }
  result.fault = check_header_fields(header, lba, disk_sectors, sector_size);
  if (!result.fault.empty()) return result;

  const std::size_t array_bytes =
      std::size_t{header.entry_count.value()} * header.entry_size.value();
  result.entries = disk.read(header.entries_lba.value() * sector_size, array_bytes);
  const std::uint32_t entries_crc = crc32_of(result.entries);
  if (entries_crc != header.entries_crc32.value()) {
    const std::string mismatch = fmt::format(
        "entry array CRC32 mismatch (stored {:#010x}, computed {:#010x})",
        header.entries_crc32.value(), entries_crc);
    if (!checksums_are_advisory()) {
      result.fault = mismatch;
    } else {
      result.checksum_fault += (result.checksum_fault.empty() ? "" : "; ") + mismatch;
    }
  }
  return result;
}

std::optional<std::uint32_t> find_gpt_sector_size(const ByteSource& disk) {
  for (const std::uint32_t sector_size : {512u, 4096u}) {
    if (disk.size() < 2 * std::uint64_t{sector_size}) continue;
    std::array<std::byte, 8> signature{};
    disk.read(sector_size, signature);
    if (std::equal(signature.begin(), signature.end(), gpt::signature.begin(),
                   [](std::byte b, char c) { return b == static_cast<std::byte>(c); })) {
      return sector_size;
    }
  }
  return std::nullopt;
}

PartitionTable read_gpt(const ByteSource& disk, std::uint32_t sector_size) {
  PartitionTable table;
  table.scheme = Scheme::gpt;
  table.sector_size = sector_size;
  const std::uint64_t disk_sectors = disk.size() / sector_size;
  if (disk_sectors < 3) {
    throw FormatError(fmt::format("gpt: disk of {} bytes is too small for a GPT", disk.size()),
                      {"GPT primary header", sector_size});
  }
  const std::uint64_t last_lba = disk_sectors - 1;

  HeaderRead primary = read_header(disk, 1, sector_size);
  HeaderRead backup;
  if (primary.fault.empty()) {
    const std::uint64_t alternate = primary.header.alternate_lba.value();
    backup = read_header(disk, alternate, sector_size);
    if (!backup.fault.empty()) {
      table.warnings.emplace_back(Location{"GPT backup header", checked_multiply(alternate, sector_size)},
                                  fmt::format("gpt: backup header ({}) is damaged: {}",
                                              where(alternate, sector_size), backup.fault));
    } else if (alternate != last_lba) {
      table.warnings.emplace_back(Location{"GPT backup header", checked_multiply(alternate, sector_size)}, fmt::format(
          "gpt: backup header lies at LBA {}, not at the last LBA {} (was the disk grown?)",
          alternate, last_lba));
    }
  } else {
    backup = read_header(disk, last_lba, sector_size);
    if (!backup.fault.empty()) {
      throw FormatError(fmt::format(
          "gpt: no usable header: primary ({}): {}; backup ({}): {}", where(1, sector_size),
          primary.fault, where(last_lba, sector_size), backup.fault),
          {"GPT primary header", sector_size});
    }
    table.warnings.emplace_back(Location{"GPT primary header", sector_size}, fmt::format(
        "gpt: primary header ({}) is damaged: {}; using the backup header at LBA {}",
        where(1, sector_size), primary.fault, last_lba));
  }
  const HeaderRead& chosen = primary.fault.empty() ? primary : backup;
  warn_checksum(primary, "primary", table);
  warn_checksum(backup, "backup", table);

  std::array<std::byte, 512> first_sector{};
  disk.read(0, first_sector);
  if (!is_protective_mbr(first_sector)) {
    table.warnings.emplace_back(Location{"protective MBR", 0},
                                "gpt: sector 0 holds no protective MBR (type 0xEE entry)");
  }
  table.structures.push_back({0, sector_size, StructureKind::protective_mbr});
  if (primary.fault.empty()) {
    add_structures(primary, StructureKind::gpt_primary_header, StructureKind::gpt_primary_entries, table);
  } else {
    table.structures.push_back({sector_size, sector_size, StructureKind::gpt_damaged_header});
  }
  if (backup.fault.empty()) {
    add_structures(backup, StructureKind::gpt_backup_header, StructureKind::gpt_backup_entries, table);
  }

  table.disk_guid = Guid::from_mixed_endian(chosen.header.disk_guid);
  read_entries(chosen, disk_sectors, table);
  warn_overlaps(table, "gpt");
  return table;
}

}  // namespace diskimg
