#include "core/crc32.hpp"
#include "core/load.hpp"
#include "layout/gpt_structures.hpp"
#include "layout/mbr_structures.hpp"

#include <diskimg/convert/new_disk_id.hpp>
#include <diskimg/source/patched_source.hpp>

#include <map>
#include <random>

namespace diskimg {
namespace {

std::vector<Patch> new_mbr_signature(const ByteSource& disk) {
  std::vector<std::byte> sector = disk.read(0, 512);
  auto boot = load<mbr::BootSector>(sector);
  std::random_device random;
  boot.disk_signature = static_cast<std::uint32_t>(random());
  store(boot, sector);
  return {{0, std::move(sector)}};
}

// One header and its entry array with the new GUIDs; the same slot gets the same new GUID
// in both copies.
void renew_gpt_copy(const ByteSource& disk, std::uint64_t header_offset, std::uint32_t sector_size,
                    const Guid& disk_guid, std::map<std::uint32_t, Guid>& partition_guids,
                    std::vector<Patch>& patches) {
  std::vector<std::byte> header_sector = disk.read(header_offset, sector_size);
  auto header = load<gpt::Header>(header_sector);
  const std::uint32_t count = header.entry_count.value();
  const std::uint32_t entry_size = header.entry_size.value();
  const std::uint64_t entries_offset = header.entries_lba.value() * sector_size;
  std::vector<std::byte> entries = disk.read(entries_offset, std::size_t{count} * entry_size);
  for (std::uint32_t slot = 0; slot < count; ++slot) {
    auto entry = load<gpt::Entry>(entries, std::size_t{slot} * entry_size);
    if (Guid::from_mixed_endian(entry.type_guid).is_zero()) continue;
    auto [guid, fresh] = partition_guids.try_emplace(slot, Guid::random());
    entry.unique_guid = guid->second.to_mixed_endian();
    store(entry, entries, std::size_t{slot} * entry_size);
  }
  header.disk_guid = disk_guid.to_mixed_endian();
  header.entries_crc32 = crc32_of(entries);
  header.header_crc32 = 0;
  store(header, header_sector);
  header.header_crc32 = crc32_of(std::span(header_sector).first(header.header_size.value()));
  store(header, header_sector);
  patches.push_back({entries_offset, std::move(entries)});
  patches.push_back({header_offset, std::move(header_sector)});
}

}  // namespace

SourcePtr with_new_disk_id(const Disk& disk) {
  const PartitionTable& layout = disk.layout();
  std::vector<Patch> patches;
  if (layout.scheme == Scheme::mbr) {
    patches = new_mbr_signature(*disk.source());
  } else if (layout.scheme == Scheme::gpt) {
    const Guid disk_guid = Guid::random();
    std::map<std::uint32_t, Guid> partition_guids;
    for (const ByteRange& structure : layout.structures) {
      // Only the headers that were read as sound are listed as "GPT ... header".
      if (structure.what == "GPT primary header" || structure.what == "GPT backup header") {
        renew_gpt_copy(*disk.source(), structure.offset, layout.sector_size, disk_guid,
                       partition_guids, patches);
      }
    }
  } else {
    return disk.source();
  }
  return std::make_shared<PatchedSource>(disk.source(), std::move(patches));
}

}  // namespace diskimg
