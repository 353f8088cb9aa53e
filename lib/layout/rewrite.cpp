#include "core/crc32.hpp"
#include "core/load.hpp"
#include "layout/gpt_header.hpp"
#include "layout/gpt_structures.hpp"
#include "layout/mbr_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/layout/rewrite.hpp>

#include <map>
#include <random>

#include <fmt/format.h>

namespace diskimg {
namespace {

Patch mbr_signature_patch(const ByteSource& disk, std::uint32_t signature) {
  std::vector<std::byte> sector = disk.read(0, 512);
  auto boot = load<mbr::BootSector>(sector, 0, "MBR");
  boot.disk_signature = signature;
  store(boot, sector, 0, "MBR");
  return {0, std::move(sector)};
}

// One header and its entry array with the given GUIDs; a partition without one gets a new
// random GUID, the same in both copies (`partition_guids` keeps it for the second).
void renew_gpt_copy(const ByteSource& disk, std::uint64_t header_offset, std::uint32_t sector_size,
                    const Guid& disk_guid, std::map<unsigned, Guid>& partition_guids,
                    std::vector<Patch>& patches) {
  // Read and checked again, as read_gpt does: the disk may have changed since.
  HeaderRead read = read_header(disk, header_offset / sector_size, sector_size);
  if (!read.fault.empty()) {
    throw FormatError(fmt::format("gpt: the header at offset {:#x} is no longer sound: {}", header_offset, read.fault),
                      {"GPT header", header_offset});
  }
  std::vector<std::byte> header_sector = disk.read(header_offset, sector_size);
  gpt::Header& header = read.header;
  const std::uint32_t count = header.entry_count.value();
  const std::uint32_t entry_size = header.entry_size.value();
  const std::uint64_t entries_offset = header.entries_lba.value() * sector_size;
  std::vector<std::byte> entries = std::move(read.entries);
  for (std::uint32_t slot = 0; slot < count; ++slot) {
    auto entry = load<gpt::Entry>(entries, std::size_t{slot} * entry_size, "GPT entry");
    if (Guid::from_mixed_endian(entry.type_guid).is_zero()) continue;
    auto [guid, fresh] = partition_guids.try_emplace(slot + 1, Guid::random());
    entry.unique_guid = guid->second.to_mixed_endian();
    store(entry, entries, std::size_t{slot} * entry_size, "GPT entry");
  }
  header.disk_guid = disk_guid.to_mixed_endian();
  header.entries_crc32 = crc32_of(entries);
  header.header_crc32 = 0;
  store(header, header_sector, 0, "GPT header");
  header.header_crc32 = crc32_of(std::span(header_sector).first(header.header_size.value()));
  store(header, header_sector, 0, "GPT header");
  patches.push_back({entries_offset, std::move(entries)});
  patches.push_back({header_offset, std::move(header_sector)});
}

}  // namespace

DiskIdentifiers identifiers_of(const PartitionTable& layout) {
  DiskIdentifiers identifiers;
  identifiers.mbr_signature = layout.mbr_signature;
  identifiers.disk_guid = layout.disk_guid;
  if (layout.scheme == Scheme::gpt) {
    for (const Partition& partition : layout.partitions) identifiers.partition_guids[partition.number] = partition.guid;
  }
  return identifiers;
}

DiskIdentifiers random_identifiers() {
  std::random_device random;
  DiskIdentifiers identifiers;
  identifiers.mbr_signature = static_cast<std::uint32_t>(random());
  identifiers.disk_guid = Guid::random();
  return identifiers;  // partitions get theirs as identifier_patches meets them
}

std::vector<Patch> identifier_patches(const ByteSource& disk, const PartitionTable& layout,
                                      const DiskIdentifiers& identifiers) {
  std::vector<Patch> patches;
  if (layout.scheme == Scheme::mbr) {
    patches.push_back(mbr_signature_patch(disk, identifiers.mbr_signature));
  } else if (layout.scheme == Scheme::gpt) {
    std::map<unsigned, Guid> partition_guids = identifiers.partition_guids;
    for (const ByteRange& structure : layout.structures) {
      if (structure.kind == StructureKind::gpt_primary_header ||
          structure.kind == StructureKind::gpt_backup_header) {
        renew_gpt_copy(disk, structure.offset, layout.sector_size, identifiers.disk_guid, partition_guids, patches);
      }
    }
  }
  return patches;
}

std::vector<std::byte> single_partition_mbr(std::uint32_t disk_signature,
                                            const SinglePartition& partition) {
  if (partition.first_lba > 0xFFFFFFFFULL || partition.sector_count > 0xFFFFFFFFULL - partition.first_lba) {
    throw UsageError(fmt::format("mbr: a partition of {} sectors at LBA {} does not fit 32-bit LBA fields",
                                 partition.sector_count, partition.first_lba));
  }
  mbr::BootSector sector{};
  sector.disk_signature = disk_signature;
  mbr::PartitionEntry& entry = sector.entries[0];
  entry.status = partition.bootable ? 0x80 : 0x00;
  entry.type = partition.type;
  entry.chs_first = {0xFE, 0xFF, 0xFF};  // "use the LBA fields", as fdisk writes past 8 GiB
  entry.chs_last = {0xFE, 0xFF, 0xFF};
  entry.first_lba = static_cast<std::uint32_t>(partition.first_lba);
  entry.sector_count = static_cast<std::uint32_t>(partition.sector_count);
  sector.signature = {0x55, 0xAA};
  std::vector<std::byte> bytes(512);
  store(sector, bytes, 0, "MBR");
  return bytes;
}

}  // namespace diskimg
