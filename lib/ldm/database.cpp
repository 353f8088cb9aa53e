// Finding and reading the LDM database: PRIVHEAD (with its copies), the TOCBLOCK it points
// to, and the config region holding the VMDB and the VBLK records.
#include "ldm/ldm_structures.hpp"

#include "core/allocate.hpp"
#include "core/checksums.hpp"
#include "core/load.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/core/guid.hpp>
#include <diskimg/ldm/database.hpp>

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

namespace diskimg::ldm {
namespace {

constexpr std::uint8_t mbr_ldm_type = 0x42;
const Guid gpt_metadata_type = *Guid::parse("5808C8AA-7E8F-42E0-85D2-E1E90434CFB3");
const Guid gpt_data_type = *Guid::parse("AF9B60A0-1431-4F62-BC68-3311714A69AD");
// The database may not claim more than this: Windows makes it 1 MiB.
constexpr std::uint64_t max_config_bytes = 16u << 20;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return text;
}

template <std::size_t N>
std::string text_of(const std::array<char, N>& field) {
  const auto end = std::find(field.begin(), field.end(), '\0');
  return std::string(field.begin(), end);
}

// The byte sum of a sector with its checksum field (bytes 8-11) counted as zero.
std::uint32_t checksum_of(std::span<const std::byte> sector) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < sector.size(); ++i) {
    if (i < 8 || i >= 12) sum += std::to_integer<std::uint32_t>(sector[i]);
  }
  return sum;
}

struct Located {
  PrivateHeader header;
  std::uint64_t sector = 0;
};

// A checksum mismatch let through (advisory checksums, core/checksums.hpp) is a warning.
void warn_checksum(std::string_view structure, std::uint64_t sector, std::uint32_t sector_size,
                   std::uint32_t stored, std::uint32_t sum, Warnings& warnings) {
  warnings.emplace_back(Location{fmt::format("LDM {}", structure), sector * sector_size},
                        fmt::format("ldm: {} (sector {}): checksum {:#x}, the bytes sum to {:#x}; used anyway "
                                    "(checksums are advisory)", structure, sector, stored, sum));
}

std::optional<PrivateHeader> privhead_at(const ByteSource& disk, std::uint64_t sector, std::uint32_t sector_size,
                                         std::vector<std::string>& faults, Warnings& warnings) {
  if ((sector + 1) * sector_size > disk.size()) {
    faults.push_back(fmt::format("sector {} is past the disk's end", sector));
    return std::nullopt;
  }
  const std::vector<std::byte> bytes = disk.read(sector * sector_size, 512);
  const auto header = load<PrivateHeader>(bytes, 0, "PRIVHEAD");  // a whole sector was read
  if (header.magic != privhead_magic) {
    faults.push_back(fmt::format("sector {}: no \"PRIVHEAD\" signature", sector));
    return std::nullopt;
  }
  if (checksum_of(bytes) != header.checksum.value()) {
    if (checksums_are_advisory()) {
      warn_checksum("PRIVHEAD", sector, sector_size, header.checksum.value(), checksum_of(bytes), warnings);
      return header;
    }
    faults.push_back(fmt::format("sector {}: checksum {:#x}, the bytes sum to {:#x}", sector,
                                 header.checksum.value(), checksum_of(bytes)));
    return std::nullopt;
  }
  return header;
}

// Where PRIVHEAD may be: sector 6 and the database's copies (the last sector of the disk,
// and 191 sectors before it) on MBR disks; the metadata partition's last sector on GPT.
std::vector<std::uint64_t> privhead_candidates(const ByteSource& disk, const PartitionTable& layout) {
  const std::uint64_t sectors = disk.size() / layout.sector_size;
  for (const Partition& partition : layout.partitions) {
    if (layout.scheme == Scheme::gpt && partition.type_guid == gpt_metadata_type) {
      return {(partition.end() / layout.sector_size) - 1};
    }
  }
  std::vector<std::uint64_t> candidates{6};
  if (sectors >= 2048) candidates.insert(candidates.end(), {sectors - 1, sectors - 1 - 2047 + 1856});
  return candidates;
}

Located find_privhead(const ByteSource& disk, const PartitionTable& layout, Warnings& warnings) {
  std::vector<std::string> faults;
  for (const std::uint64_t sector : privhead_candidates(disk, layout)) {
    if (auto header = privhead_at(disk, sector, layout.sector_size, faults, warnings)) {
      if (!faults.empty()) {
        warnings.emplace_back(Location{"LDM PRIVHEAD", sector * layout.sector_size},
                              fmt::format("ldm: PRIVHEAD copy at sector {} used ({})", sector, faults.front()));
      }
      return {*header, sector};
    }
  }
  std::string list;
  for (const std::string& fault : faults) list += (list.empty() ? "" : "; ") + fault;
  throw FormatError("ldm: no usable PRIVHEAD: " + list, {"LDM PRIVHEAD", std::nullopt});
}

std::optional<TocRegion> config_region_at(const ByteSource& disk, std::uint64_t sector, std::uint32_t sector_size,
                                          std::vector<std::string>& faults, Warnings& warnings) {
  if ((sector + 1) * sector_size > disk.size()) {
    faults.push_back(fmt::format("TOCBLOCK at sector {} is past the disk's end", sector));
    return std::nullopt;
  }
  const std::vector<std::byte> bytes = disk.read(sector * sector_size, 512);
  const auto toc = load<TocBlock>(bytes, 0, "TOCBLOCK");  // a whole sector was read
  if (toc.magic != tocblock_magic) {
    faults.push_back(fmt::format("sector {}: no TOCBLOCK with a valid checksum", sector));
    return std::nullopt;
  }
  if (checksum_of(bytes) != toc.checksum.value()) {
    if (!checksums_are_advisory()) {
      faults.push_back(fmt::format("sector {}: no TOCBLOCK with a valid checksum", sector));
      return std::nullopt;
    }
    warn_checksum("TOCBLOCK", sector, sector_size, toc.checksum.value(), checksum_of(bytes), warnings);
  }
  for (const TocRegion& region : toc.regions) {
    if (text_of(region.name) == "config") return region;
  }
  faults.push_back(fmt::format("TOCBLOCK at sector {} has no \"config\" region", sector));
  return std::nullopt;
}

}  // namespace

bool has_database(const PartitionTable& layout) {
  return std::any_of(layout.partitions.begin(), layout.partitions.end(), [&](const Partition& p) {
    return (layout.scheme == Scheme::mbr && p.mbr_type == mbr_ldm_type) ||
           (layout.scheme == Scheme::gpt && p.type_guid == gpt_metadata_type);
  });
}

bool is_ldm_partition(const PartitionTable& layout, const Partition& partition) {
  if (layout.scheme == Scheme::mbr) return partition.mbr_type == mbr_ldm_type;
  return layout.scheme == Scheme::gpt &&
         (partition.type_guid == gpt_metadata_type || partition.type_guid == gpt_data_type);
}

Database read_database(const ByteSource& disk, const PartitionTable& layout) {
  Database db;
  const Located found = find_privhead(disk, layout, db.warnings);
  const PrivateHeader& header = found.header;
  db.disk_guid = lower(text_of(header.disk_guid));
  db.disk_group_guid = text_of(header.disk_group_guid);
  db.disk_group_name = text_of(header.disk_group_name);
  // LDM counts in the sectors PRIVHEAD names; the partition table's size is the fallback.
  db.sector_size = layout.sector_size;
  const std::uint32_t own = header.bytes_per_sector.value();
  if (own == 512 || own == 4096) {
    db.sector_size = own;
  } else {
    db.warnings.emplace_back(Location{"LDM PRIVHEAD", found.sector * layout.sector_size}, fmt::format("ldm: PRIVHEAD (sector {}) says {} bytes per sector; {} used", found.sector,
                                      own, layout.sector_size));
  }
  db.data_start = header.data_start.value();
  db.data_size = header.data_size.value();
  db.config_start = header.config_start.value();
  db.config_size = header.config_size.value();
  const std::uint64_t sectors = disk.size() / db.sector_size;
  const std::string where = fmt::format("ldm: PRIVHEAD (sector {})", found.sector);
  const Location privhead{"LDM PRIVHEAD", found.sector * layout.sector_size};
  if (db.config_start >= sectors || db.config_size > sectors - db.config_start) {
    throw FormatError(fmt::format("{}: database at sectors {}+{} is not on the disk ({} sectors)", where,
                                  db.config_start, db.config_size, sectors), privhead);
  }
  if (db.data_start >= sectors || db.data_size > sectors - db.data_start) {
    throw FormatError(fmt::format("{}: data area at sectors {}+{} is not on the disk ({} sectors)", where,
                                  db.data_start, db.data_size, sectors), privhead);
  }

  // The TOCBLOCK PRIVHEAD points to (older copies may be stale), else its second.
  std::vector<std::string> faults;
  std::optional<TocRegion> config;
  for (const std::uint64_t relative : {header.primary_toc.value(), header.secondary_toc.value()}) {
    if (relative >= db.config_size) {
      faults.push_back(fmt::format("TOCBLOCK at database sector {} is outside the database", relative));
      continue;
    }
    if ((config = config_region_at(disk, db.config_start + relative, db.sector_size, faults, db.warnings))) break;
  }
  const Location tocblock{"LDM TOCBLOCK", db.config_start * db.sector_size};
  if (!config) {
    throw FormatError(fmt::format("{}: no usable TOCBLOCK: {}", where, faults.empty() ? "" : faults.back()), tocblock);
  }
  if (!faults.empty()) db.warnings.emplace_back(tocblock, "ldm: second TOCBLOCK used: " + faults.front());

  const std::uint64_t start = config->start.value();
  const std::uint64_t size = config->size.value();
  if (start >= db.config_size || size > db.config_size - start ||
      size * db.sector_size > max_config_bytes) {
    throw FormatError(fmt::format("ldm: TOCBLOCK: config region at database sectors {}+{} does not fit the "
                                  "database ({} sectors)", start, size, db.config_size), tocblock);
  }
  const std::uint64_t region = (db.config_start + start) * db.sector_size;
  const std::vector<std::byte> bytes =
      allocating("ldm: config region", size * db.sector_size, {"LDM config region", region},
                 [&] { return disk.read(region, static_cast<std::size_t>(size * db.sector_size)); });
  parse_vblks(bytes, db.config_start + start, db);
  return db;
}

}  // namespace diskimg::ldm
